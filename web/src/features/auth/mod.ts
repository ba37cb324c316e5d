/** The auth feature's public surface. */
export { SignInPage } from "./sign_in.tsx";
export { RegisterPage } from "./register.tsx";
export { signOut, useSession } from "./session.tsx";
export { GOOGLE_RETURN_PATH, GoogleReturnPage, OIDC_RETURN_PATH, OidcReturnPage } from "./external.tsx";
