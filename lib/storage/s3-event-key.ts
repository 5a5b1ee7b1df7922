/** An S3 event's object key as stored: S3 URL-encodes it in events, spaces as `+`. Its own module, so a function bundles only this. */
export const decodeEventKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));
