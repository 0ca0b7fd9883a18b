import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { appError, badInput, conflict } from '../../common/errors';
import type { AuthUser } from '../../context';
import { TagService } from '../tag/tag.service';
import type { LoginThrottle } from './login-throttle';
import { UserEntity } from './user.entity';
import type { LoginInput, RegisterInput } from './auth.types';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
const USERNAME = /^[A-Za-z0-9_.-]{3,50}$/;
const TOKEN_TTL = '24h';
/** Verified tokens remembered per process (bounded: the map is emptied when full). */
const VERIFIED_CACHE = 10_000;

export class AuthService {
  private readonly verified = new Map<string, { user: AuthUser; exp: number }>();
  // A fixed hash verified when the user does not exist, so timing does not reveal which usernames exist.
  private dummyHash: Promise<string>;

  constructor(private readonly ds: DataSource, private readonly cfg: Config, readonly throttle: LoginThrottle) {
    this.dummyHash = argon2.hash('not-a-real-password', { type: argon2.argon2id });
  }

  async register(input: RegisterInput): Promise<{ token: string; user: UserEntity }> {
    const email = input.email.trim().toLowerCase();
    const username = input.username.trim();
    if (!EMAIL.test(email) || email.length > 254) throw badInput('email is not a valid address', 'email');
    if (!USERNAME.test(username)) throw badInput('username must be 3–50 letters, digits, "_", "." or "-"', 'username');
    if (input.password.length < 8 || input.password.length > 200) throw badInput('password must be 8–200 characters', 'password');
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    const user = await this.ds.transaction(async (m) => {
      const taken = await m.query(`SELECT lower(username) = lower($1) AS same_name FROM users WHERE lower(username) = lower($1) OR lower(email) = $2`, [username, email]);
      if (taken.length) throw conflict(taken[0].same_name ? 'username is taken' : 'email is already registered', taken[0].same_name ? 'username' : 'email');
      const u = await m.save(m.create(UserEntity, { email, username, passwordHash }));
      await TagService.createStarterTags(m, u.id);
      return u;
    });
    return { token: this.sign(user), user };
  }

  async login(input: LoginInput, address: string): Promise<{ token: string; user: UserEntity }> {
    const who = input.usernameOrEmail.trim().toLowerCase();
    await this.throttle.check([`u:${who}`, `a:${address}`]);
    const user = await this.ds.getRepository(UserEntity).createQueryBuilder('u')
      .where('lower(u.username) = :who OR lower(u.email) = :who', { who }).getOne();
    // argon2.verify runs in both branches so a missing user costs the same time as a wrong password.
    const ok = await argon2.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !ok) {
      await this.throttle.recordFailure([`u:${who}`, `a:${address}`]);
      throw appError('UNAUTHENTICATED', 'Invalid username/email or password');
    }
    await this.throttle.clear([`u:${who}`]);
    return { token: this.sign(user), user };
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
    return jwt.sign({ username: user.username }, this.cfg.JWT_SECRET, { algorithm: 'HS256', expiresIn: TOKEN_TTL, subject: user.id });
  }
}
