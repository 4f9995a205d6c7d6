"""Front-ends: each renders core replies for one platform and never imports another."""
