// Password hashing for dashboard users (bcrypt, pure JS so no native build is needed).
import bcrypt from "bcryptjs";

/** Cost 10 ≈ 60–100 ms per hash on this machine kind: slow for attackers, fine for sign-ins. */
const DEFAULT_COST = 10;

export function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  if (password.length === 0) throw new Error("password must not be empty");
  return bcrypt.hash(password, cost);
}

/** False for a wrong password and for a malformed stored hash (never throws on bad input). */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, passwordHash);
  } catch {
    return false;
  }
}
