-- Makes the staging key of a large value at its full length, with the value's time to live, before
-- its chunks are written into it by SETRANGE: the string is allocated once. Grown by APPENDs
-- instead, Redis reallocates it a mebibyte at a time and, at each of its allocator's size classes,
-- copies the whole of it while every client waits (5 to 40 ms each, several times per 60 MiB store:
-- docs/benchmarks.md, item 13). The bytes are zeros until the chunks arrive; a key without a time to
-- live can only have been made again by a chunk after this one was deleted, and is never moved into
-- place (move-staged.lua, store-staged-and-release.lua); the writer also stops at the first chunk
-- whose SETRANGE answers another length than the value's. Redis checks maxmemory once, before this
-- script writes: the whole value is allocated at once, so a store can take Redis past maxmemory by
-- up to the value's size (docs/values.md).
-- KEYS[1] the staging key
-- ARGV[1] the value's length in bytes
-- ARGV[2] the value's time to live in milliseconds
-- Returns 1, or the error of SETRANGE (OOM under maxmemory, say).
-- A key already that long is left as it is (never written before its chunks, but a last byte is never zeroed after one).
if redis.call('strlen', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('setrange', KEYS[1], tonumber(ARGV[1]) - 1, '\0')
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1
