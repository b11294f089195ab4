// Any unknown path under a locale shows the localised not-found page.
import { notFound } from "next/navigation";

export default function CatchAll() {
  notFound();
}
