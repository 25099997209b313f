"""The hosted service: a whole conference's agencies online, signed in, on a database."""
