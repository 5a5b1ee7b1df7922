/** esbuild bundles imported stylesheets beside the script. */
declare module '*.css';
