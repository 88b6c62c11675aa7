// Hosted side of the untyped allocator: catalogue, formats, boot derivation, replay, planner.
