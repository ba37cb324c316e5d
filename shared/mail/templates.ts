/**
 * Every message the platform sends, in English and Arabic, as plain text and HTML. Parameters are escaped in HTML;
 * the Arabic HTML is `dir="rtl" lang="ar"`.
 */

/** Languages mail is written in. */
export const MAIL_LOCALES = ["en", "ar"] as const;
/** One mail language. */
export type MailLocale = typeof MAIL_LOCALES[number];

/** Parameters per template. */
export interface TemplateParams {
  verify_email: { link: string; hours: number };
  password_reset: { link: string; minutes: number };
  invitation: { link: string; days: number; course?: string };
  password_changed: Record<string, never>;
  sign_in_method_added: { method: string };
  notification: { title: string; body: string };
}

/** A template's name. */
export type TemplateName = keyof TemplateParams;

/** A rendered message. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Parts {
  subject: string;
  /** Paragraphs of the body (plain text; escaped for HTML). */
  lines: string[];
  /** The one button of the message, if any. */
  action?: { label: string; link: string };
  /** A closing note (why you got this, what to do if it was not you). */
  note?: string;
}

type Catalogue = { [K in TemplateName]: (p: TemplateParams[K]) => Parts };

const en: Catalogue = {
  verify_email: (p) => ({
    subject: "Confirm your email address",
    lines: ["Please confirm that this is your email address to finish setting up your AI Teacher account."],
    action: { label: "Confirm my email", link: p.link },
    note: `The link works once and expires in ${p.hours} hours. If you did not sign up, ignore this message.`,
  }),
  password_reset: (p) => ({
    subject: "Reset your password",
    lines: ["Someone asked to reset the password of your AI Teacher account."],
    action: { label: "Choose a new password", link: p.link },
    note: `The link works once and expires in ${p.minutes} minutes. ` +
      "If you did not ask for this, ignore this message: your password stays as it is.",
  }),
  invitation: (p) => ({
    subject: p.course ? `You are invited to ${p.course}` : "You are invited to AI Teacher",
    lines: [
      p.course
        ? `You have been invited to join the course ${p.course} on AI Teacher.`
        : "You have been invited to join AI Teacher.",
    ],
    action: { label: "Accept the invitation", link: p.link },
    note: `The invitation expires in ${p.days} days.`,
  }),
  password_changed: () => ({
    subject: "Your password was changed",
    lines: ["The password of your AI Teacher account was just changed, and every session was signed out."],
    note: "If this was not you, reset your password at once and tell your administrator.",
  }),
  sign_in_method_added: (p) => ({
    subject: "A new way to sign in was added to your account",
    lines: [`Your AI Teacher account can now be signed in to with ${p.method}.`],
    note: "If this was not you, reset your password and tell your administrator.",
  }),
  notification: (p) => ({ subject: p.title, lines: [p.body].filter(Boolean) }),
};

const ar: Catalogue = {
  verify_email: (p) => ({
    subject: "أكّد عنوان بريدك الإلكتروني",
    lines: ["يُرجى تأكيد أن هذا هو عنوان بريدك الإلكتروني لإكمال إعداد حسابك في المعلّم الذكي."],
    action: { label: "تأكيد بريدي الإلكتروني", link: p.link },
    note:
      `يعمل الرابط مرة واحدة وتنتهي صلاحيته بعد ${p.hours} ساعة. إن لم تكن أنت من سجّل، فتجاهل هذه الرسالة.`,
  }),
  password_reset: (p) => ({
    subject: "إعادة تعيين كلمة المرور",
    lines: ["طلب أحدهم إعادة تعيين كلمة مرور حسابك في المعلّم الذكي."],
    action: { label: "اختيار كلمة مرور جديدة", link: p.link },
    note: `يعمل الرابط مرة واحدة وتنتهي صلاحيته بعد ${p.minutes} دقيقة. ` +
      "إن لم تطلب ذلك فتجاهل هذه الرسالة، وستبقى كلمة مرورك كما هي.",
  }),
  invitation: (p) => ({
    subject: p.course ? `أنت مدعوّ إلى مقرر ${p.course}` : "أنت مدعوّ إلى المعلّم الذكي",
    lines: [
      p.course ? `دُعيت للانضمام إلى مقرر ${p.course} في المعلّم الذكي.` : "دُعيت للانضمام إلى المعلّم الذكي.",
    ],
    action: { label: "قبول الدعوة", link: p.link },
    note: `تنتهي صلاحية الدعوة بعد ${p.days} يومًا.`,
  }),
  password_changed: () => ({
    subject: "تم تغيير كلمة المرور",
    lines: ["تم للتو تغيير كلمة مرور حسابك في المعلّم الذكي، وسُجّل الخروج من جميع الجلسات."],
    note: "إن لم تكن أنت، فأعد تعيين كلمة المرور فورًا وأبلغ مسؤول النظام.",
  }),
  sign_in_method_added: (p) => ({
    subject: "أُضيفت طريقة جديدة لتسجيل الدخول إلى حسابك",
    lines: [`أصبح بالإمكان تسجيل الدخول إلى حسابك في المعلّم الذكي باستخدام ${p.method}.`],
    note: "إن لم تكن أنت، فأعد تعيين كلمة المرور وأبلغ مسؤول النظام.",
  }),
  notification: (p) => ({ subject: p.title, lines: [p.body].filter(Boolean) }),
};

const catalogues: Record<MailLocale, Catalogue> = { en, ar };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders one template in one language as subject, plain text and HTML. */
export function renderMail<K extends TemplateName>(
  template: K,
  locale: MailLocale,
  params: TemplateParams[K],
): RenderedMail {
  const parts = (catalogues[locale][template] as (p: TemplateParams[K]) => Parts)(params);
  const text = [
    ...parts.lines,
    ...(parts.action ? [`${parts.action.label}: ${parts.action.link}`] : []),
    ...(parts.note ? [parts.note] : []),
  ].join("\n\n") + "\n";
  const dir = locale === "ar" ? "rtl" : "ltr";
  const html = `<!doctype html>
<html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><title>${
    escapeHtml(parts.subject)
  }</title></head>
<body style="font-family:sans-serif;line-height:1.5">
${parts.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join("\n")}
${
    parts.action
      ? `<p><a href="${escapeHtml(parts.action.link)}">${escapeHtml(parts.action.label)}</a></p>
<p style="font-size:smaller">${escapeHtml(parts.action.link)}</p>`
      : ""
  }
${parts.note ? `<p style="color:#555">${escapeHtml(parts.note)}</p>` : ""}
</body></html>
`;
  return { subject: parts.subject, text, html };
}
