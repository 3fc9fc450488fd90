"""Infrastructure every app may use and that knows no app: the page cache,
cached fragments, submission keys, the staff two-factor middleware, healthz,
templated email and form-error messages."""
