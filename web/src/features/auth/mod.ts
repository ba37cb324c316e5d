/** The auth feature's public surface. */
export { SignInPage } from "./sign_in.tsx";
export { RegisterPage } from "./register.tsx";
export { signOut, useSession } from "./session.tsx";
