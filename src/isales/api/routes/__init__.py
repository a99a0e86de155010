"""One router per resource. Handlers are thin: accept → service → answer."""
