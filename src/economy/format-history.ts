import type { Language } from "../config/config.js";
import { formatNumber, type MessageKey, translate } from "../i18n/catalogue.js";
import type { LedgerReason, LedgerRow } from "./ledger.js";

const REASON_KEYS: Record<LedgerReason, MessageKey> = {
  parse: "economy.reason.parse",
  purchase: "economy.reason.purchase",
  refund: "economy.reason.refund",
  admin_add: "economy.reason.admin_add",
  admin_remove: "economy.reason.admin_remove",
  achievement: "economy.reason.achievement",
};

/** `2026-12-03 10:18` in UTC: the bot serves groups in many time zones, so it says which one it uses. */
export function formatUtcMinute(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 16).replace("T", " ");
}

/** A signed amount with thousands separators: `+3 000`, `−50`. */
export function formatSignedAmount(amount: number, language: Language): string {
  return `${amount < 0 ? "−" : "+"}${formatNumber(Math.abs(amount), language)}`;
}

/** One readable line per ledger row: time (UTC), amount, reason, source, balance after. */
export function formatHistoryLine(row: LedgerRow, language: Language): string {
  const reasonKey = REASON_KEYS[row.reason];
  const source = row.source === null || row.source === "" ? "" : ` (${row.source})`;
  return translate(language, "economy.history.line", {
    date: formatUtcMinute(Number(row.created_at)),
    amount: formatSignedAmount(Number(row.amount), language),
    reason: reasonKey === undefined ? row.reason : translate(language, reasonKey),
    source,
    balance: Number(row.balance_after),
  });
}
