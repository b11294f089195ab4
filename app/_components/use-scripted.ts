"use client";
// Whether the page runs with JavaScript: false in the server's HTML (and without JavaScript), true once hydrated.
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

export function useScripted(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
