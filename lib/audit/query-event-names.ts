// Human names for audit events, read from the message catalogue (Audit.events, nested by the dots of the event name),
// and the event filter's choices grouped by the name's first part. Unknown events keep their code.

export type EventNameTree = { [part: string]: string | EventNameTree };

/** "password.reset" → "Wachtwoord opnieuw ingesteld"; an event the catalogue does not name → its code. */
export function eventName(tree: EventNameTree, event: string): string {
  let node: string | EventNameTree | undefined = tree;
  for (const part of event.split(".")) node = typeof node === "object" ? node[part] : undefined;
  return typeof node === "string" ? node : event;
}

export type EventGroup = { group: string; prefix: string; events: { event: string; name: string }[] };

/** Every named event, grouped by its first part (recovery., admin., …) in catalogue order. */
export function eventGroups(tree: EventNameTree): EventGroup[] {
  const leaves = (node: EventNameTree, path: string): { event: string; name: string }[] =>
    Object.entries(node).flatMap(([part, value]) =>
      typeof value === "string" ? [{ event: `${path}${part}`, name: value }] : leaves(value, `${path}${part}.`),
    );
  return Object.entries(tree).map(([group, node]) => ({
    group,
    prefix: `${group}.`,
    events: typeof node === "string" ? [{ event: group, name: node }] : leaves(node, `${group}.`),
  }));
}
