using System;
using StackExchange.Redis;

namespace AkCache.Internals.Logging;

/// <summary>The secrets of a connection that a client library's message may quote, and their removal.</summary>
internal static class Secrets
{
    private const string Hidden = "*****";

    /// <summary>
    /// <paramref name="text"/> without the password of the connection, nor its sentinels' password:
    /// each is replaced by "*****".
    /// </summary>
    public static string Scrub(string text, ConfigurationOptions? configuration)
    {
        if (configuration is null)
        {
            return text;
        }

        return Remove(Remove(text, configuration.Password), configuration.SentinelPassword);
    }

    private static string Remove(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Hidden);
}
