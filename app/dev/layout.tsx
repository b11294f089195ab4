// Layout of development-only pages (outside the localised portal).
import type { ReactNode } from "react";
import "../globals.css";

export default function DevLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="nl">
      <body>
        <main id="main" className="dev-page">
          {children}
        </main>
      </body>
    </html>
  );
}
