import type { Reader, Writer } from "../codec/index.js";
import { CredentialType } from "./registry.js";

/** §5.3: who a member is. Only the two RFC types are readable: the structure has no length to skip others. */
export type Credential =
  | { readonly credentialType: typeof CredentialType.basic; readonly identity: Uint8Array }
  | { readonly credentialType: typeof CredentialType.x509; readonly certificates: readonly Uint8Array[] };

export function decodeCredential(r: Reader): Credential {
  const credentialType = r.uint16("Credential.credential_type");
  if (credentialType === CredentialType.basic) {
    return { credentialType, identity: r.opaque("Credential.identity") };
  }
  if (credentialType === CredentialType.x509) {
    return { credentialType, certificates: r.vector("Credential.certificates", readCertificate) };
  }
  return r.fail("Credential.credential_type", `unknown credential type ${credentialType}`, "unsupported");
}

const readCertificate = (r: Reader) => r.opaque("Certificate.cert_data");

export function encodeCredential(w: Writer, c: Credential): void {
  w.uint16(c.credentialType);
  if (c.credentialType === CredentialType.basic) w.opaque(c.identity);
  else w.vector(c.certificates, (x, cert) => x.opaque(cert));
}
