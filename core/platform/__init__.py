"""The platform's own pages at the bare domain: what Haat is, and sign-up."""
