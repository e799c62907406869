-- Takes the cross-process lock of one missing value, unless the value is stored by now.
-- KEYS[1] the value, KEYS[2] its lock, KEYS[3] its awaited mark (all three share one hash tag, so one cluster slot)
-- ARGV[1] this caller's random token
-- ARGV[2] the lock's time to live, in milliseconds (the awaited mark gets the same)
-- ARGV[3] '1' to return the stored value, if there is one, instead of locking
-- ARGV[4] the longest value returned here, in bytes
-- Returns the stored value, or { its length } when it is longer than ARGV[4] (the caller reads it
-- on a connection of its own); 1 when the lock is taken; { 0, the lock's value } when another token
-- holds it (the value may carry its owner's trace context after the token, for the waiter's span),
-- after marking the value as awaited, so that its owner's announcement carries the value.
-- The value's GET is a pcall: a key that holds another type (a list another program wrote) is
-- read as missing, so that the lock is taken and the result overwrites it.
if ARGV[3] == '1' then
  local n = redis.pcall('strlen', KEYS[1])
  if type(n) == 'number' and n > tonumber(ARGV[4]) then return { n } end
  local v = redis.pcall('get', KEYS[1])
  if type(v) == 'string' then return v end
end
if redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
-- A lock without a time to live (PERSISTed by hand, or a key that is not AkCache's) would stall
-- every caller of the value until LockWaitTimeout, and one that lives longer than a lease (an
-- EXPIRE of an hour by hand) until it expires: either gets the lock's time to live, so that it is
-- taken over within LockTimeToLive, as the lock of an owner that died. A live owner renews its
-- lock to the same time to live every third of it, so it keeps its lock.
local left = redis.call('pttl', KEYS[2])
if left == -1 or left > tonumber(ARGV[2]) then redis.call('pexpire', KEYS[2], ARGV[2]) end
redis.call('set', KEYS[3], '1', 'PX', ARGV[2])
local holder = redis.pcall('get', KEYS[2])
if type(holder) ~= 'string' then holder = '' end
return { 0, holder }
