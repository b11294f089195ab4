// "Annuleren": a submit button inside the step's form that belongs to the page's cancel form (the `form` attribute),
// so it sits beside "Volgende" and posts only to the cancel action; works without JavaScript. Every page that shows
// the button renders <CancelForm /> once, outside its step form.
import { getTranslations } from "next-intl/server";
import { cancelRecoveryAction } from "@/lib/recovery/actions";
import { PostForm } from "../post-form";

const CANCEL_FORM = "cancel-flow";

export async function CancelButton() {
  const t = await getTranslations("Recovery");
  return (
    <button type="submit" className="button" form={CANCEL_FORM} formNoValidate>
      {t("cancel")}
    </button>
  );
}

export function CancelForm() {
  return <PostForm id={CANCEL_FORM} action={cancelRecoveryAction} />;
}
