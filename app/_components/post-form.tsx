"use client";
// A form for a server action that takes no input ("Annuleren", "Ander nummer of andere methode kiezen"), posting to the
// page's own address: a server action used directly as <form action> or <button formAction> is written as action=""
// or formaction="", which is invalid HTML; through useActionState with a permalink it gets a real address. Works
// without JavaScript like any form post.
import { usePathname } from "next/navigation";
import { useActionState, type ReactNode } from "react";

type Props = { action: (prev: null, form: FormData) => Promise<null>; id?: string; className?: string; children?: ReactNode };

export function PostForm({ action, id, className, children }: Props) {
  const permalink = usePathname();
  const [, dispatch] = useActionState(action, null, permalink);
  return (
    <form id={id} action={dispatch} className={className}>
      {children}
    </form>
  );
}
