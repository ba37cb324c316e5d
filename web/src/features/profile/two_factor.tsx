/**
 * Two-factor sign-in (TOTP) on the profile: turn it on (scan the QR code of the `otpauth://` URI, or type the
 * secret, then confirm with a first code) and off again with a current code. The API issues no recovery codes.
 */
import { useQuery, useQueryClient } from "@tanstack/preact-query";
import { useEffect, useState } from "preact/hooks";
import { ErrorNotice, Field } from "../../components/ui.tsx";
import { acceptTokens, api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

/** A QR code drawn as SVG from its module matrix (the encoder is loaded only when a code is shown). */
function QrCode(props: { data: string; label: string }) {
  const [modules, setModules] = useState<boolean[][] | null>(null);
  useEffect(() => {
    let live = true;
    import("uqr").then(({ encode }) => live && setModules(encode(props.data, { ecc: "M" }).data));
    return () => {
      live = false;
    };
  }, [props.data]);
  if (!modules) return null;
  const quiet = 4;
  const size = modules.length + quiet * 2;
  let path = "";
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    })
  );
  return (
    <svg
      class="qr"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${size} ${size}`}
      width="200"
      height="200"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

const CODE_FIELD = {
  name: "code",
  inputMode: "numeric",
  autocomplete: "one-time-code",
  pattern: "[0-9]{6}",
  maxLength: 6,
  required: true,
  dir: "ltr",
} as const;

/** The two-factor section of the profile page. */
export function TwoFactorSection() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api.GET("/api/v1/me")) });
  const [pending, setPending] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<void>) {
    setError(null);
    setStatus(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  }
  const codeOf = (event: SubmitEvent) =>
    String(new FormData(event.currentTarget as HTMLFormElement).get("code")).trim();

  const enrol = () =>
    run(async () => {
      setPending(unwrap(await api.POST("/api/v1/auth/2fa/enrol")));
    });
  const confirm = (event: SubmitEvent) => {
    event.preventDefault();
    const code = codeOf(event);
    return run(async () => {
      acceptTokens(unwrap(await api.POST("/api/v1/auth/2fa/verify", { body: { code } })));
      setPending(null);
      setStatus(t("mfa.enabled"));
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    });
  };
  const disable = (event: SubmitEvent) => {
    event.preventDefault();
    const code = codeOf(event);
    return run(async () => {
      unwrap(await api.POST("/api/v1/auth/2fa/disable", { body: { code } }));
      setStatus(t("mfa.disabled"));
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    });
  };

  if (!me.data) return <ErrorNotice error={me.error} />;
  return (
    <section class="stack" aria-labelledby="mfa-title">
      <h2 id="mfa-title">{t("mfa.title")}</h2>
      {status && <p role="status">{status}</p>}
      <ErrorNotice error={error} />
      {me.data.mfaEnabled
        ? (
          <form class="stack" onSubmit={disable}>
            <p>{t("mfa.on")}</p>
            <Field label={t("mfa.currentCode")} {...CODE_FIELD} />
            <button type="submit">{t("mfa.disable")}</button>
          </form>
        )
        : pending
        ? (
          <form class="stack" onSubmit={confirm}>
            <p>{t("mfa.scan")}</p>
            <QrCode data={pending.otpauthUri} label={t("mfa.qr")} />
            <p>
              {t("mfa.secret")} <code dir="ltr" class="secret">{pending.secret}</code>
            </p>
            <Field label={t("mfa.firstCode")} {...CODE_FIELD} autoFocus />
            <button type="submit" class="primary">{t("mfa.confirm")}</button>
          </form>
        )
        : (
          <>
            <p>{t("mfa.off")}</p>
            <button type="button" onClick={enrol}>{t("mfa.enable")}</button>
          </>
        )}
    </section>
  );
}
