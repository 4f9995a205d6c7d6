"""Discord front-end: renders core replies as Discord embeds, `<t:…>` timestamps and buttons."""
