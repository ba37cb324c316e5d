/** Notifications: the unread count in the header, and the list with "mark as read". */
import { useQuery, useQueryClient } from "@tanstack/preact-query";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { api, itemsOf, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

function useNotifications(unreadOnly: boolean) {
  return useQuery({
    queryKey: ["notifications", unreadOnly],
    queryFn: async () =>
      itemsOf(unwrap(
        await api.GET("/api/v1/notifications", {
          params: { query: { unread: unreadOnly ? "true" : "false" } },
        }),
      )),
    refetchInterval: unreadOnly ? 60_000 : false,
  });
}

/** The header's link to the notifications, with the unread count in its accessible name. */
export function NotificationsLink() {
  const { t } = useI18n();
  const unread = useNotifications(true).data?.length ?? 0;
  return (
    // The visible text is part of the link's name (no aria-label over it), so speech users can say what they see.
    <a href="/notifications">
      {t("nav.notifications")}
      {unread > 0 && (
        <>
          {" "}
          <span class="count">{unread}</span>
          <span class="visually-hidden">{" " + t("nav.unread")}</span>
        </>
      )}
    </a>
  );
}

/** The notifications page. */
export function NotificationsPage() {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const list = useNotifications(false);
  return (
    <Page title={t("notifications.title")}>
      {list.isPending && <Loading />}
      <ErrorNotice error={list.error} onRetry={() => list.refetch()} />
      {list.data?.length === 0 && <p>{t("notifications.empty")}</p>}
      <ul class="notifications">
        {list.data?.map((n) => (
          <li key={n.id} class={n.readAt ? "read" : "unread"}>
            <h2 dir="auto">{n.title}</h2>
            <p dir="auto">{n.body}</p>
            <p class="muted small">{new Date(n.createdAt).toLocaleString(language)}</p>
            {!n.readAt && (
              <button
                type="button"
                class="quiet"
                onClick={async () => {
                  unwrap(
                    await api.POST("/api/v1/notifications/{id}/read", { params: { path: { id: n.id } } }),
                  );
                  await queryClient.invalidateQueries({ queryKey: ["notifications"] });
                }}
              >
                {t("notifications.markRead")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}
