import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import type { Alert } from "./login-store.ts";

type Kind = "text" | "int" | "json";

/** How each field of a request maps to a SQL column; shared by the SQL stores so they cannot drift. */
export const REQUEST_COLUMNS = [
  ["id", "id", "text"],
  ["mode", "mode", "text"],
  ["state", "state", "text"],
  ["version", "version", "int"],
  ["createdAt", "created_at", "int"],
  ["updatedAt", "updated_at", "int"],
  ["expiresAt", "expires_at", "int"],
  ["browserSecretHash", "browser_secret_hash", "text"],
  ["userCodeHash", "user_code_hash", "text"],
  ["userCodeIssuedAt", "user_code_issued_at", "int"],
  ["previousUserCodeHash", "previous_user_code_hash", "text"],
  ["previousUserCodeValidUntil", "previous_user_code_valid_until", "int"],
  ["comparison", "comparison", "int"],
  ["login", "login", "text"],
  ["approverId", "approver_id", "text"],
  ["approverHint", "approver_hint", "text"],
  ["publicKey", "public_key", "text"],
  ["deniedReason", "denied_reason", "text"],
  ["requester", "requester", "json"],
  ["sealedRedemption", "sealed_redemption", "text"],
] as const satisfies readonly (readonly [keyof LoginRequest, string, Kind])[];

const COLUMN_OF = new Map<string, string>(REQUEST_COLUMNS.map(([field, column]) => [field, column]));

/** The column values of a request, in {@link REQUEST_COLUMNS} order. */
export function requestToValues(request: LoginRequest): unknown[] {
  return REQUEST_COLUMNS.map(([field, , kind]) => (kind === "json" ? JSON.stringify(request[field]) : request[field]));
}

/** A request from a row keyed by column name; integers may arrive as strings (PostgreSQL bigint). */
export function requestFromRow(row: Record<string, unknown>): LoginRequest {
  const request: Record<string, unknown> = {};
  for (const [field, column, kind] of REQUEST_COLUMNS) {
    const value = row[column];
    if (value === null || value === undefined) request[field] = null;
    else if (kind === "int") request[field] = Number(value);
    else if (kind === "json") request[field] = typeof value === "string" ? JSON.parse(value) : value;
    else request[field] = value;
  }
  return request as unknown as LoginRequest;
}

/**
 * The parts of a compare-and-set UPDATE for a patch and guard, with placeholders made by
 * `placeholder(n)` (n counts from 1): `SET …` and `WHERE …` clauses and their values in order.
 */
export function transitionSql(
  id: string,
  guard: TransitionGuard,
  patch: RequestPatch,
  placeholder: (n: number) => string,
): { set: string; where: string; values: unknown[] } {
  const values: unknown[] = [];
  const next = (value: unknown) => {
    values.push(value);
    return placeholder(values.length);
  };
  const assignments = Object.entries(patch).map(([field, value]) => {
    const column = COLUMN_OF.get(field);
    if (!column) throw new Error(`not a patchable field: ${field}`);
    return `${column} = ${next(value)}`;
  });
  assignments.push("version = version + 1");
  let where = `id = ${next(id)} AND state IN (${guard.from.map((s) => next(s)).join(", ")}) AND expires_at > ${next(guard.liveAt)}`;
  if (guard.version !== undefined) where += ` AND version = ${next(guard.version)}`;
  return { set: assignments.join(", "), where, values };
}

/** An alert from a row keyed by column name (`detail` as JSON text or, on PostgreSQL, already parsed). */
export function alertFromRow(row: Record<string, unknown>): Alert {
  return {
    at: Number(row.at),
    userId: String(row.user_id),
    reason: String(row.reason),
    requestId: (row.request_id as string | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    detail: typeof row.detail === "string" ? JSON.parse(row.detail) : (row.detail as Record<string, unknown>),
  };
}
