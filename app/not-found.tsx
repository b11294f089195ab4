// An address outside the localised portal that names nothing (a mistyped /api/… or /dev/… address, or a development
// page this request may not see). It stands in for Next's own English 404 page, whose markup every page's payload
// would otherwise carry: this one is a few lines, in both languages.
export default function NotFound() {
  return (
    <html lang="nl">
      <body>
        <h1>Pagina niet gevonden · Page not found</h1>
        <p>
          <a href="/">Toegang</a>
        </p>
      </body>
    </html>
  );
}
