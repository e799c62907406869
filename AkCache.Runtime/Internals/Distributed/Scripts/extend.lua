-- Renews a lock while its owner still computes (the watchdog), only if the token still owns it.
-- KEYS[1] the lock
-- ARGV[1] the owner's token
-- ARGV[2] the new time to live, in milliseconds
-- Returns 1 when renewed, 0 when the lock has expired or belongs to another token.
if redis.pcall('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
