-- The store-and-release of a large value, whose bytes were written beforehand to a staging key in
-- chunks (stage.lua, then SETRANGEs): a value passed to a script is copied
-- into Lua and out again, which for 60 MiB holds the single-threaded server, and every client's small
-- call, for more than 100 ms; a RENAME moves it in constant time. Staged bytes that are not whole (a
-- chunk was refused, OOM say, and the caller passes -1 as the length) are deleted, never moved into
-- place. As in store-and-release.lua, only the lock's
-- owner stores: a lock that is gone or another's means the value was invalidated or is computed
-- again, and the staged bytes are deleted instead.
-- KEYS[1] the value, KEYS[2] its lock, KEYS[3] its awaited mark, KEYS[4] the staging key (all in one
-- cluster slot: the same hash tag)
-- ARGV[1] the owner's token
-- ARGV[2] the channel on which stored values are announced
-- ARGV[3] the value's length in bytes, or -1 when a chunk failed (the staged bytes are deleted)
-- The RENAME is a pcall: if it fails (RENAME refused to the user, say), the staged bytes are deleted,
-- the lock still goes and the waiters are still woken; the error is returned after that, so that the
-- caller warns with the fix. The announcement is the key alone (a large value is never carried in one).
-- Returns 1 when the value was stored; 0 when the token no longer owns the lock; -1 when the staged
-- bytes are gone or of another length (deleted, evicted or expired while they were written); or the
-- RENAME's error. Staged bytes without a time to live were made again by a chunk after their key was
-- deleted (zeros before it: stage.lua) and count as gone.
local result = 0
local failed = nil
-- The lock's GET is a pcall: a lock key of another type is nobody's token.
local owner = redis.pcall('get', KEYS[2]) == ARGV[1]
if owner then
  if redis.pcall('strlen', KEYS[4]) == tonumber(ARGV[3]) and redis.call('pttl', KEYS[4]) >= 0 then
    local r = redis.pcall('rename', KEYS[4], KEYS[1])
    if type(r) == 'table' and r.err then failed = r.err else result = 1 end
  else
    result = -1
  end
  redis.call('del', KEYS[2])
end
if result ~= 1 then redis.call('del', KEYS[4]) end
redis.call('del', KEYS[3])
redis.call('publish', ARGV[2], KEYS[1])
if failed then return redis.error_reply(failed) end
return result
