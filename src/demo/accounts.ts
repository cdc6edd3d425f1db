import { randomUUID } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { DemoDb } from "./demo-db.ts";

/** A demo account. */
export interface User {
  id: string;
  email: string;
}

/** A stored passkey, in the shape `@simplewebauthn/server` verifies against. */
export interface StoredPasskey {
  id: string;
  userId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
}

/** Why an account operation was refused, in words for the page. */
export class AccountError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Long enough to matter, short enough that argon2 is not a denial-of-service lever. */
const PASSWORD_LENGTH = { min: 8, max: 256 };

/** The demo's accounts: e-mail, an optional password (argon2id) and any number of passkeys. */
export class Accounts {
  constructor(private readonly db: DemoDb) {}

  /** The address a new account would have, or why it cannot: malformed, or already taken. */
  checkNew(email: string): string {
    const address = email.trim();
    if (!EMAIL.test(address) || address.length > 254) throw new AccountError("Enter a valid e-mail address.");
    if (this.byEmail(address)) throw new AccountError("There is already an account with this e-mail. Sign in instead.");
    return address;
  }

  /** Creates an account with a password. */
  async create(email: string, password: string): Promise<User> {
    const address = this.checkNew(email);
    if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) {
      throw new AccountError(`Choose a password of at least ${PASSWORD_LENGTH.min} characters.`);
    }
    const user = { id: randomUUID(), email: address };
    this.#insert(user, await hash(password));
    return user;
  }

  /**
   * Creates an account and its first passkey together, once the passkey is verified: a sign-up given
   * up half-way (a closed prompt, a browser refusing passkeys here) leaves no account behind.
   */
  createWithPasskey(user: User, passkey: Omit<StoredPasskey, "userId">): User {
    this.db.transaction(() => {
      this.#insert({ id: user.id, email: this.checkNew(user.email) }, null);
      this.addPasskey({ ...passkey, userId: user.id });
    })();
    return user;
  }

  #insert(user: User, passwordHash: string | null): void {
    this.db
      .prepare("INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)")
      .run(user.id, user.email, passwordHash, Date.now());
  }

  /** The account of `email` if `password` is its password; the same error either way. */
  async checkPassword(email: string, password: string): Promise<User> {
    const row = this.db
      .prepare<[string], { id: string; email: string; password_hash: string | null }>(
        "SELECT id, email, password_hash FROM users WHERE email = ?",
      )
      .get(email.trim());
    const ok =
      row?.password_hash && password.length <= PASSWORD_LENGTH.max && (await verify(row.password_hash, password));
    if (!row || !ok) throw new AccountError("That e-mail and password don't match an account.");
    return { id: row.id, email: row.email };
  }

  byEmail(email: string): User | undefined {
    return this.db.prepare<[string], User>("SELECT id, email FROM users WHERE email = ?").get(email.trim());
  }

  byId(id: string): User | undefined {
    return this.db.prepare<[string], User>("SELECT id, email FROM users WHERE id = ?").get(id);
  }

  addPasskey(passkey: StoredPasskey): void {
    this.db
      .prepare(
        "INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        passkey.id,
        passkey.userId,
        Buffer.from(passkey.publicKey),
        passkey.counter,
        JSON.stringify(passkey.transports),
        Date.now(),
      );
  }

  passkey(id: string): StoredPasskey | undefined {
    const row = this.db
      .prepare<[string], { id: string; user_id: string; public_key: Buffer; counter: number; transports: string }>(
        "SELECT * FROM passkeys WHERE id = ?",
      )
      .get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.user_id,
      publicKey: new Uint8Array(row.public_key),
      counter: row.counter,
      transports: JSON.parse(row.transports),
    };
  }

  /** Every passkey of an account, for qrlogin's passkey approval and sign-in. */
  passkeysOf(userId: string): StoredPasskey[] {
    return this.db
      .prepare<[string], { id: string }>("SELECT id FROM passkeys WHERE user_id = ? ORDER BY created_at")
      .all(userId)
      .flatMap(({ id }) => this.passkey(id) ?? []);
  }

  updateCounter(id: string, counter: number): void {
    this.db.prepare("UPDATE passkeys SET counter = ? WHERE id = ?").run(counter, id);
  }
}
