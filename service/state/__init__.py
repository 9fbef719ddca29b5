"""Item state: deciding what evidence changes, projecting it, and reporting it."""
