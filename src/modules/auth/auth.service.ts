import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { read } from '../../data-source';
import { appError, badInput, conflict } from '../../common/errors';
import type { AuthUser } from '../../context';
import { rowsOf } from '../../infra/rows';
import type { UnitOfWork } from '../../infra/unit-of-work';
import { TagService } from '../tag/tag.service';
import type { LoginThrottle } from './login-throttle';
import { UserEntity } from './user.entity';
import type { LoginInput, RegisterInput } from './auth.types';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
const USERNAME = /^[A-Za-z0-9_.-]{3,50}$/;
const TOKEN_TTL = '24h';
/** Verified tokens remembered per process (bounded: the map is emptied when full). */
const VERIFIED_CACHE = 10_000;
/** How long a process trusts that a token's user exists before looking again. */
const USER_EXISTS_MS = 60_000;
/** What an account read shows: every column but the password hash (only the login's read selects it). */
const ACCOUNT = ['id', 'email', 'username', 'createdAt'] as const;

export class AuthService {
  private readonly verified = new Map<string, { user: AuthUser; exp: number }>();
  /** User ids known to exist, until when (see authenticate). */
  private readonly existing = new Map<string, number>();
  // A fixed hash verified when the user does not exist, so timing does not reveal which usernames exist.
  private dummyHash: Promise<string>;

  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
    private readonly cfg: Config,
    readonly throttle: LoginThrottle,
  ) {
    this.dummyHash = argon2.hash('not-a-real-password', { type: argon2.argon2id });
  }

  /**
   * Every attempt counts against the caller's address (REGISTER_MAX_PER_ADDRESS an hour): each hashes a password.
   * Whether a username or an email is taken is revealed (both must be unique, and without an email channel a
   * duplicate cannot be refused silently), but only at that rate, and in the same time either way (the password is
   * hashed before the lookup).
   */
  async register(input: RegisterInput, address = ''): Promise<{ token: string; user: UserEntity }> {
    const perAddress = [{ key: `register:${address}`, max: this.cfg.REGISTER_MAX_PER_ADDRESS, windowMs: 3_600_000 }];
    await this.throttle.check(perAddress, 'registrations from this address');
    await this.throttle.record(perAddress);
    const email = input.email.trim().toLowerCase();
    const username = input.username.trim();
    if (!EMAIL.test(email) || email.length > 254) throw badInput('email is not a valid address', 'email');
    if (!USERNAME.test(username)) throw badInput('username must be 3–50 letters, digits, "_", "." or "-"', 'username');
    if (input.password.length < 8 || input.password.length > 200)
      throw badInput('password must be 8–200 characters', 'password');
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    const user = await this.uow.run(async (m) => {
      const taken: { same_name: boolean }[] = await m.query(
        `SELECT lower(username) = lower($1) AS same_name FROM users
         WHERE lower(username) = lower($1) OR lower(email) = $2`,
        [username, email],
      );
      if (taken.length)
        throw conflict(
          taken[0].same_name ? 'username is taken' : 'email is already registered',
          taken[0].same_name ? 'username' : 'email',
        );
      const u = await m.save(m.create(UserEntity, { email, username, passwordHash }));
      await TagService.createStarterTags(m, u.id);
      return u;
    });
    return { token: this.sign(user), user };
  }

  /** The signed-in user's account (`me`), without the password hash; null when it no longer exists. */
  async currentUser(user: AuthUser): Promise<UserEntity | null> {
    const users = rowsOf(this.ds, UserEntity, ACCOUNT);
    const [r] = await read(this.ds, `SELECT ${users.select('u')} FROM users u WHERE u.id = $1`, [user.id]);
    return r ? users.from(r) : null;
  }

  /**
   * Failed logins are counted per account (whichever identifier was typed: username or email) from one address,
   * and per address over all accounts (OWASP's authentication guidance): a wrong password from one address locks
   * the account for that address only, so nobody can lock an owner out from elsewhere. Identifiers of no account
   * are counted the same way under the identifier itself.
   */
  async login(input: LoginInput, address: string): Promise<{ token: string; user: UserEntity }> {
    const who = input.usernameOrEmail.trim().toLowerCase();
    // Every column, the password hash included: the one read that needs it.
    const users = rowsOf(this.ds, UserEntity);
    const [r] = await read(
      this.ds,
      `SELECT ${users.select('u')} FROM users u WHERE lower(u.username) = $1 OR lower(u.email) = $1`,
      [who],
    );
    const user = r ? users.from(r) : null;
    const windowMs = this.cfg.LOGIN_WINDOW_MINUTES * 60_000;
    const account = { key: `u:${user ? user.id : who}:${address}`, max: this.cfg.LOGIN_MAX_FAILURES, windowMs };
    const limits = [account, { key: `a:${address}`, max: this.cfg.LOGIN_MAX_FAILURES_PER_ADDRESS, windowMs }];
    await this.throttle.check(limits);
    // argon2.verify runs in both branches so a missing user costs the same time as a wrong password.
    const ok = await argon2.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !ok) {
      await this.throttle.record(limits);
      throw appError('UNAUTHENTICATED', 'Invalid username/email or password');
    }
    await this.throttle.clear([account.key]);
    return { token: this.sign(user), user };
  }

  /**
   * The user of a bearer token that is valid and whose user exists; null otherwise (UNAUTHENTICATED everywhere). A
   * validly signed token can outlive its user (deleted by an operator, or a database restored without it); existence
   * is looked up once per user and process and remembered for USER_EXISTS_MS (users are not deleted through the API).
   */
  async authenticate(token: string | undefined | null): Promise<AuthUser | null> {
    const user = this.verify(token);
    if (!user) return null;
    const until = this.existing.get(user.id);
    if (until !== undefined && until > Date.now()) return user;
    const [row] = await read<{ id: string }>(this.ds, `SELECT id FROM users WHERE id = $1`, [user.id]);
    if (!row) return null;
    this.remember(user.id);
    return user;
  }

  private remember(userId: string): void {
    if (this.existing.size >= VERIFIED_CACHE) this.existing.clear();
    this.existing.set(userId, Date.now() + USER_EXISTS_MS);
  }

  /** Verifies a bearer token (algorithm pinned, expiry enforced); null for anything invalid. */
  verify(token: string | undefined | null): AuthUser | null {
    if (!token) return null;
    const raw = token.startsWith('Bearer ') ? token.slice(7) : token;
    // A token verified once is remembered until it expires: clients send the same token with every request.
    const known = this.verified.get(raw);
    if (known && known.exp > Date.now()) return known.user;
    try {
      const p = jwt.verify(raw, this.cfg.JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      if (typeof p.sub !== 'string' || typeof p.username !== 'string' || typeof p.exp !== 'number') return null;
      const user = { id: p.sub, username: p.username, isAdmin: this.cfg.adminUsers.has(p.username.toLowerCase()) };
      if (this.verified.size >= VERIFIED_CACHE) this.verified.clear();
      this.verified.set(raw, { user, exp: p.exp * 1000 });
      return user;
    } catch {
      return null;
    }
  }

  private sign(user: UserEntity): string {
    this.remember(user.id);
    return jwt.sign({ username: user.username }, this.cfg.JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: TOKEN_TTL,
      subject: user.id,
    });
  }
}
