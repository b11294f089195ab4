// "Annuleren": a second submit button of the step's form, posting to the cancel action (works without JavaScript).
import { getTranslations } from "next-intl/server";
import { cancelRecoveryAction } from "@/lib/recovery/actions";

export async function CancelButton() {
  const t = await getTranslations("Recovery");
  return (
    <button type="submit" className="button" formAction={cancelRecoveryAction} formNoValidate>
      {t("cancel")}
    </button>
  );
}
