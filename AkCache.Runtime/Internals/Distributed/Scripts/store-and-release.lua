-- Stores a computed value if this token still owns its lock, releases the lock, and wakes the waiters.
-- Only the lock's owner stores: a lock that is gone or another's means the value was invalidated
-- (an invalidation deletes the lock too) or that another process computes it again, and in both
-- cases this value, computed from what came before, must not be written over what comes after.
-- KEYS[1] the value, KEYS[2] its lock, KEYS[3] its awaited mark
-- ARGV[1] the owner's token
-- ARGV[2] the channel on which stored values are announced
-- ARGV[3] the value's bytes (absent: nothing to store, only release and announce)
-- ARGV[4] the value's time to live, in milliseconds
-- ARGV[5] the largest value an announcement carries, in bytes
-- The SET is a pcall: if it fails (an out-of-memory reply, say), the lock must still go and the
-- waiters still be woken; the error is returned after that. The announcement is the key alone, or,
-- when someone waits and the value is small enough, the key, a newline and the value.
-- Returns 1; 0 when a value was given but not stored because the token no longer owns the lock;
-- or the SET's error.
local failed = nil
-- The lock's GET is a pcall: a lock key of another type is nobody's token.
local owner = redis.pcall('get', KEYS[2]) == ARGV[1]
local stored = false
if ARGV[3] and owner then
  local r = redis.pcall('set', KEYS[1], ARGV[3], 'PX', ARGV[4])
  if type(r) == 'table' and r.err then failed = r.err else stored = true end
end
if owner then redis.call('del', KEYS[2]) end
local awaited = redis.call('del', KEYS[3]) == 1
if awaited and stored and string.len(ARGV[3]) <= tonumber(ARGV[5]) then
  redis.call('publish', ARGV[2], KEYS[1] .. '\n' .. ARGV[3])
else
  redis.call('publish', ARGV[2], KEYS[1])
end
if failed then return redis.error_reply(failed) end
if ARGV[3] and not owner then return 0 end
return 1
