"use client";
// Verification method and full mobile number; the sentence and button follow the chosen method through CSS alone.
import { usePathname } from "next/navigation";
import { useActionState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { submitNumberAction, type VerifyKey, type VerifyState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";

export function VerifyForm({
  masked,
  intent,
  channel,
  typedPhone,
  cancel,
}: {
  masked: string;
  intent: "reset" | "unlock";
  channel: "sms" | "voice";
  /** The number this browser typed last in the flow (after "Ander nummer of andere methode kiezen"), or "". */
  typedPhone: string;
  cancel: ReactNode;
}) {
  const tv = useTranslations("Recovery.verify");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<VerifyState, FormData>(submitNumberAction, { status: "idle" }, permalink);
  const refused = state.status === "refused" ? state : undefined;
  const fieldErrors = state.status === "invalid" ? state.fieldErrors : {};
  const msg = (key?: VerifyKey) => (key ? tv(key, { seconds: refused?.params?.seconds ?? 0 }) : undefined);
  const phoneError = msg(fieldErrors.phone);
  const channelError = msg(fieldErrors.channel);
  const formError = msg(refused?.formError);
  const chosen = (state.status === "idle" ? undefined : state.values?.channel) ?? channel;
  const phone = (state.status === "idle" ? undefined : state.values?.phone) ?? typedPhone;
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(channelError ? [{ field: "channel-sms", message: channelError }] : []),
    ...(phoneError ? [{ field: "phone", message: phoneError }] : []),
  ];
  return (
    <form action={action} noValidate className="form verify-form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
      <fieldset className="choices">
        <legend className="legend">{tv("legend")}</legend>
        <div className="choice">
          <input type="radio" id="channel-sms" name="channel" value="sms" defaultChecked={chosen !== "voice"} />
          <label htmlFor="channel-sms">{tv("sms")}</label>
        </div>
        <div className="choice">
          <input
            type="radio"
            id="channel-voice"
            name="channel"
            value="voice"
            defaultChecked={chosen === "voice"}
            aria-describedby="voice-hint"
          />
          <label htmlFor="channel-voice">{tv("voice")}</label>
          <p id="voice-hint" className="hint">
            {tv("voiceHint")}
          </p>
        </div>
      </fieldset>
      <p className="only-sms">{tv("instruction", { masked, channel: "sms", intent })}</p>
      <p className="only-voice">{tv("instruction", { masked, channel: "voice", intent })}</p>
      <Field
        id="phone"
        label={tv("phone")}
        hint={tv("phoneHint")}
        error={phoneError}
        type="tel"
        autoComplete="tel"
        inputMode="tel"
        required
        maxLength={40}
        defaultValue={phone}
        key={JSON.stringify(state)}
      />
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          <span className="only-sms">{tv("submitSms")}</span>
          <span className="only-voice">{tv("submitVoice")}</span>
        </button>
        {cancel}
      </div>
    </form>
  );
}
