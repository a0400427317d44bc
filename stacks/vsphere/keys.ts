/** Keys of the Secrets a vsphere cluster reads: credentialsRef's username and password, certificatesRef's ca.crt. */
export const USERNAME_KEY = "username";
export const PASSWORD_KEY = "password";
export const CA_KEY = "ca.crt";
