-- Stores a computed value, releases its lock if this token still owns it, and wakes the waiters.
-- KEYS[1] the value, KEYS[2] its lock, KEYS[3] its awaited mark
-- ARGV[1] the owner's token
-- ARGV[2] the channel on which stored values are announced
-- ARGV[3] the value's bytes (absent: nothing to store, only release and announce)
-- ARGV[4] the value's time to live, in milliseconds
-- ARGV[5] the largest value an announcement carries, in bytes
-- The SET is a pcall: if it fails (an out-of-memory reply, say), the lock must still go and the
-- waiters still be woken; the error is returned after that. The announcement is the key alone, or,
-- when someone waits and the value is small enough, the key, a newline and the value.
-- Returns 1, or the SET's error.
local failed = nil
if ARGV[3] then
  local r = redis.pcall('set', KEYS[1], ARGV[3], 'PX', ARGV[4])
  if type(r) == 'table' and r.err then failed = r.err end
end
if redis.call('get', KEYS[2]) == ARGV[1] then redis.call('del', KEYS[2]) end
local awaited = redis.call('del', KEYS[3]) == 1
if awaited and ARGV[3] and not failed and string.len(ARGV[3]) <= tonumber(ARGV[5]) then
  redis.call('publish', ARGV[2], KEYS[1] .. '\n' .. ARGV[3])
else
  redis.call('publish', ARGV[2], KEYS[1])
end
if failed then return redis.error_reply(failed) end
return 1
