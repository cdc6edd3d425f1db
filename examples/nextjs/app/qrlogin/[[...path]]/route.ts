import { qrlogin } from "@/lib/qrlogin";

// qrlogin's whole API under /qrlogin: its own routing answers 404 for anything it does not serve.
const handle = (request: Request) => qrlogin().handler(request);

export { handle as DELETE, handle as GET, handle as POST };
