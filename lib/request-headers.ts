/** Header the Deputy server sets from the socket address, replacing anything a client sent. */
export const CLIENT_IP_HEADER = "x-deputy-client-ip";
/** Header the proxy sets to the requested path, so pages can send people back after sign-in. */
export const REQUEST_PATH_HEADER = "x-deputy-path";
