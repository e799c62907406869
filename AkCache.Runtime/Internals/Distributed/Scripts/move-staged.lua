-- Moves a large value written in chunks to a staging key into place, for a store without a lock:
-- only when the staged bytes have the value's length and a time to live (stage.lua made the key with
-- both; a SETRANGE to a staging key deleted, evicted or expired meanwhile makes a new one, with
-- zeros before its chunk and no time to live), else they are deleted. The RENAME keeps the staging
-- key's time to live, the value's.
-- KEYS[1] the staging key, KEYS[2] the value (one cluster slot: the same hash tag)
-- ARGV[1] the value's length in bytes
-- Returns 1 when the value was moved into place, -1 when the staged bytes were not whole (deleted),
-- or the RENAME's error (the staged bytes deleted first).
if redis.pcall('strlen', KEYS[1]) ~= tonumber(ARGV[1]) or redis.call('pttl', KEYS[1]) < 0 then
  redis.call('del', KEYS[1])
  return -1
end
local r = redis.pcall('rename', KEYS[1], KEYS[2])
if type(r) == 'table' and r.err then
  redis.call('del', KEYS[1])
  return redis.error_reply(r.err)
end
return 1
