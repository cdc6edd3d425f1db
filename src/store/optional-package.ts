/** A module that did not resolve, by Node's own error codes (ESM and CommonJS). */
function missingPackage(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
  // Only the package itself: a missing dependency of an installed one is another problem.
  return notFound && typeof message === "string" && (message.includes(`'${name}'`) || message.includes(`"${name}"`));
}

/**
 * Loads a database driver that qrlogin lists as an optional peer dependency, so that a site installs
 * only the one its store needs. `load` names the package literally so that bundlers can follow it.
 * @throws Error naming the package and the command that installs it, when it is not installed.
 * @example const pg = await loadOptional("pg", "The PostgreSQL store", () => import("pg"));
 */
export async function loadOptional<T>(name: string, user: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!missingPackage(error, name)) throw error;
    throw new Error(`qrlogin: ${user} needs the "${name}" package, which is not installed. Run: npm install ${name}`, {
      cause: error,
    });
  }
}
