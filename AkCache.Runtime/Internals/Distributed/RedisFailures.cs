using System;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>What a failed command means for the commands after it (docs/failures.md).</summary>
internal enum RedisFailureKind
{
    /// <summary>
    /// The connection or the server as a whole: refused, closed, timed out, loading, a password or
    /// permission that stops every command. Opens the breaker: no command at all for a while.
    /// </summary>
    Transport,

    /// <summary>
    /// This one key holds another type of value (WRONGTYPE): for AkCache it holds nothing, and the
    /// method's result overwrites it. Costs nothing to other keys.
    /// </summary>
    WrongType,

    /// <summary>
    /// The server refuses to store (out of memory under noeviction, a read-only replica, an ACL user
    /// without write, a failed snapshot that stops writes, too few replicas): writes pause for a
    /// while; reads go on.
    /// </summary>
    WritesRefused,
}

/// <summary>Classifies the failures of Redis commands: by the error reply's code, which Redis puts first (and, from a script, after its location).</summary>
internal static class RedisFailures
{
    private static readonly string[] WriteRefusals = { "OOM", "READONLY", "NOPERM", "MISCONF", "NOREPLICAS" };

    /// <summary>
    /// What <paramref name="failure"/> of a command means. <paramref name="writes"/>: the command
    /// stores something (SET, the lock scripts); a refusal to store is only a refusal of writes for
    /// such a command. NOPERM on a read, say, stops every read too: a transport failure.
    /// </summary>
    public static RedisFailureKind Classify(Exception failure, bool writes)
    {
        if (failure is not RedisServerException server)
        {
            return RedisFailureKind.Transport;
        }

        var message = server.Message;
        if (HasCode(message, "WRONGTYPE"))
        {
            return RedisFailureKind.WrongType;
        }

        if (writes)
        {
            if (IsScriptPermission(message))
            {
                return RedisFailureKind.WritesRefused;
            }

            foreach (var code in WriteRefusals)
            {
                if (HasCode(message, code))
                {
                    return RedisFailureKind.WritesRefused;
                }
            }
        }

        return RedisFailureKind.Transport;
    }

    /// <summary>What to check for a refusal to store, by its code: for the warning.</summary>
    public static string FixForRefusedWrites(Exception failure)
    {
        var message = failure.Message;
        if (HasCode(message, "OOM"))
        {
            return "Redis is full and evicts nothing (maxmemory with maxmemory-policy noeviction): raise maxmemory or choose an eviction policy such as allkeys-lru";
        }

        if (HasCode(message, "READONLY"))
        {
            return "the URL names a read-only replica: point AKCACHE_REDIS_URL at the primary";
        }

        if (HasCode(message, "NOPERM") || IsScriptPermission(message))
        {
            return "the ACL user may read but not write, or lacks a command AkCache needs: grant it the ACL line of docs/configuration.md (\"The least rights AkCache needs\"), or use a user that may write";
        }

        if (HasCode(message, "MISCONF"))
        {
            return "Redis stops writes after a failed snapshot (stop-writes-on-bgsave-error): fix its disk or its save setting";
        }

        return "the primary has too few replicas connected (min-replicas-to-write)";
    }

    /// <summary>
    /// An ACL refusal inside a script: Redis 7 replies "ERR The user executing the script can't run
    /// this command or subcommand" instead of NOPERM when a script's call is not permitted.
    /// </summary>
    private static bool IsScriptPermission(string message) =>
        message.IndexOf("user executing the script can't run this command", StringComparison.Ordinal) >= 0;

    /// <summary>
    /// Whether the reply's code is <paramref name="code"/>: at its start ("WRONGTYPE Operation
    /// against..."), or, for an error inside a script, after the location Redis 6 puts first
    /// ("ERR Error running script ... @user_script:1: WRONGTYPE ..." or "... @user_script: 1: -READONLY ...").
    /// </summary>
    private static bool HasCode(string message, string code)
    {
        if (StartsWithCode(message, 0, code))
        {
            return true;
        }

        if (message.IndexOf("@user_script", StringComparison.Ordinal) < 0)
        {
            return false;
        }

        var last = message.LastIndexOf(": ", StringComparison.Ordinal);
        if (last < 0)
        {
            return false;
        }

        var start = last + 2;
        if (start < message.Length && message[start] == '-')
        {
            start++;
        }

        return StartsWithCode(message, start, code);
    }

    private static bool StartsWithCode(string message, int start, string code) =>
        string.CompareOrdinal(message, start, code, 0, code.Length) == 0
        && (message.Length == start + code.Length || message[start + code.Length] == ' ');
}
