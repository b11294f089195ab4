// The real root layout is app/[locale]/layout.tsx; this one only passes through.
import type { ReactNode } from "react";

export default function RootLayout({ children }: { children: ReactNode }) {
  return children;
}
