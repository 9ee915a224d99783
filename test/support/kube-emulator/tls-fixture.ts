/**
 * A self-signed EC P-256 certificate for 127.0.0.1, ::1 and localhost, valid 2000-01-01 to 2100-01-01 (made with
 * `openssl ca -selfsign -startdate ...` so a machine whose clock is behind cannot see it "not yet valid").
 * It is its own CA: put it in the kubeconfig's `certificate-authority-data`. Test-only key material.
 */
export const EMULATOR_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBuTCCAV6gAwIBAgIBATAKBggqhkjOPQQDAjAgMR4wHAYDVQQDDBVrdWJlLWVt
dWxhdG9yIHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBa
MCAxHjAcBgNVBAMMFWt1YmUtZW11bGF0b3IgdGVzdCBDQTBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABPCg7pN2BNYhdC4Wz+hAGwdiZFeLLYpm6OJh5vdSwX6fUfIK
k2VX1s4p6POQQgz2TxtB3bNn+Zmylt7JbXxLDSejgYYwgYMwLAYDVR0RBCUwI4cE
fwAAAYcQAAAAAAAAAAAAAAAAAAAAAYIJbG9jYWxob3N0MA8GA1UdEwEB/wQFMAMB
Af8wDgYDVR0PAQH/BAQDAgKEMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQW
BBSo0zOCq8JURWdxOiSBryAjLCNzUjAKBggqhkjOPQQDAgNJADBGAiEAsAkiZnsa
6cGfwWgCC+KgjQedANk1YORDPKS/bkXFmX0CIQCK9AFziqv+dLLkkxhprKQvSrWy
7RCXO7XqGvs30tJ4Dw==
-----END CERTIFICATE-----
`;

export const EMULATOR_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgISWPixNCk5iN6gip
l4wV9C5uYkf+nIJ3qXw/bAM+lsmhRANCAATwoO6TdgTWIXQuFs/oQBsHYmRXiy2K
ZujiYeb3UsF+n1HyCpNlV9bOKejzkEIM9k8bQd2zZ/mZspbeyW18Sw0n
-----END PRIVATE KEY-----
`;
