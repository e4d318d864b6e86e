/** Milliseconds in one day (24 h; the daemon counts days in UTC). */
export const DAY_MILLISECONDS = 86_400_000;
