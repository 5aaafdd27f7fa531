import { Changes } from "@parley/testkit";

/**
 * What the in-memory voice tests wait on. Notified whenever a message is delivered on a memory connection
 * (either way) or a connection closes, when the test gateway finishes an operation, when a session emits an
 * event, and when media frames are sent or delivered: a wait re-checks exactly when something changed.
 */
export const changes = new Changes();
