/** The phone signs in here first (the approval page sends it here when it is not). */
export default function Phone() {
  return (
    <main>
      <h1>Sign in on this phone</h1>
      <form action="/api/sign-in" method="post">
        <label>
          Name <input name="name" autoComplete="username" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
