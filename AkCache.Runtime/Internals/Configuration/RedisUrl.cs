using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using StackExchange.Redis;

namespace AkCache.Internals.Configuration;

/// <summary>
/// A parsed Redis location: the StackExchange.Redis options and a description that is safe to log
/// (it never holds the password).
/// </summary>
internal sealed class RedisUrl
{
    private RedisUrl(ConfigurationOptions options, string safeDescription, Timeouts timeouts)
    {
        Options = options;
        SafeDescription = safeDescription;
        ConnectTimeout = timeouts.Connect;
        SyncTimeout = timeouts.Sync;
        AsyncTimeout = timeouts.Async;
    }

    /// <summary>The URL's <c>connectTimeout=</c> (a URL parameter, or the configuration string's setting); it wins over AkCacheOptions.ConnectTimeout.</summary>
    public TimeSpan? ConnectTimeout { get; }

    /// <summary>The URL's <c>operationTimeout=</c> (or a configuration string's <c>syncTimeout=</c>), for synchronous commands.</summary>
    public TimeSpan? SyncTimeout { get; }

    /// <summary>The URL's <c>operationTimeout=</c> (or a configuration string's <c>asyncTimeout=</c>), for asynchronous commands.</summary>
    public TimeSpan? AsyncTimeout { get; }

    /// <summary>The timeouts a URL or configuration string sets; null where it sets none.</summary>
    private sealed class Timeouts
    {
        public TimeSpan? Connect { get; set; }

        public TimeSpan? Sync { get; set; }

        public TimeSpan? Async { get; set; }
    }

    /// <summary>The parameters a redis:// URL may have after '?', each a whole number of milliseconds.</summary>
    private static readonly string[] UrlParameters = { "connectTimeout", "operationTimeout" };

    public ConfigurationOptions Options { get; }

    public string SafeDescription { get; }

    public string? Password => Options.Password;

    /// <exception cref="ArgumentException">The text is neither a Redis URL nor a configuration string.</exception>
    public static RedisUrl Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The Redis URL is empty. Set AKCACHE_REDIS_URL (or REDIS_URL) to redis://host:port.");
        }

        var parts = text.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToArray();
        var timeouts = new Timeouts();
        var options = parts.Any(IsUrl) ? ParseUrls(parts, timeouts) : ParseConfigurationString(text, timeouts);
        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("The Redis URL names no host. Expected redis://host:port.");
        }

        RequireHostNames(options, text);
        options.SetDefaultPorts();

        var hosts = string.Join(",", options.EndPoints.Select(Format));
        var scheme = (options.Ssl ? "rediss" : "redis") + (options.ServiceName is null ? "" : "+sentinel");
        var service = options.ServiceName is null ? "" : "/" + options.ServiceName;
        var description = $"{scheme}://{hosts}{service}" + (options.DefaultDatabase is int db and not 0 ? $"/{db}" : "");
        return new RedisUrl(options, description, timeouts);
    }

    /// <summary>Removes the password from a message that might quote it.</summary>
    public string Scrub(string message) =>
        string.IsNullOrEmpty(Password) ? message : message.Replace(Password, "*****");

    private static bool IsUrl(string part) =>
        part.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ||
        part.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase) ||
        IsSentinelUrl(part);

    /// <summary>redis+sentinel://[user:password@]sentinel:26379/service[/db] (rediss+sentinel:// for TLS): the master a sentinel names.</summary>
    private static bool IsSentinelUrl(string part) =>
        part.StartsWith("redis+sentinel://", StringComparison.OrdinalIgnoreCase) ||
        part.StartsWith("rediss+sentinel://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The default port of a sentinel.</summary>
    private const int SentinelPort = 26379;

    private static ConfigurationOptions ParseUrls(IReadOnlyList<string> parts, Timeouts timeouts)
    {
        if (parts.Any(p => !IsUrl(p) && p.IndexOf('@') >= 0))
        {
            // Most likely a password holding a ',' that split the URL in two; quoting either half would show part of it.
            throw new ArgumentException("A Redis URL in the list could not be read. Write every host of a list as redis://host:port, and URL-escape a ',' in the password as %2C.");
        }

        var options = new ConfigurationOptions
        {
            // Extras of the client library that AkCache does not use, each a command or a key that an
            // ACL user with AkCache's rights alone may not touch (docs/configuration.md, "The least
            // rights AkCache needs"): a tie-breaker key, the library's name and version (CLIENT
            // SETINFO), and CONFIG GET (whose replies can hold passwords). Its configuration channel
            // stays: with it turned off, announcements stopped arriving in AkCache's tests.
            TieBreaker = string.Empty,
            SetClientLibrary = false,
            CommandMap = CommandMap.Create(new HashSet<string> { "CONFIG" }, available: false),
        };
        bool? tls = null;
        bool? sentinel = null;
        foreach (var part in parts)
        {
            var isSentinel = IsSentinelUrl(part);
            if (sentinel is bool sentinels && sentinels != isSentinel)
            {
                throw new ArgumentException("The Redis URLs mix redis+sentinel:// with redis:// or a bare host; list every sentinel as redis+sentinel://host:26379/service.");
            }

            sentinel = isSentinel;
            var url = ReadParameters(IsUrl(part) ? part : "redis://" + part, timeouts);
            RequireNothingAfterTheHostThatLooksLikeAPassword(url);
            // A '#' in an unescaped password starts a fragment: "redis://u:12#ss@host" would quietly mean host "u", port 12.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.Fragment.Length > 0)
            {
                throw new ArgumentException($"'{Redact(part)}' is not a valid Redis URL. Expected redis://[user:password@]host:port[/db]; URL-escape any '@', '/', '#' or ',' in the password.");
            }

            var isTls = uri.Scheme.StartsWith("rediss", StringComparison.OrdinalIgnoreCase);
            if (tls is bool earlier && earlier != isTls)
            {
                throw new ArgumentException("The Redis URLs mix redis:// and rediss://; use one scheme for every host.");
            }

            tls = isTls;
            var port = uri.IsDefaultPort || uri.Port < 0 ? (isSentinel ? SentinelPort : 6379) : uri.Port;
            options.EndPoints.Add(uri.Host.Trim('[', ']'), port);
            ReadUserInfo(uri, options);
            if (isSentinel)
            {
                ReadService(uri, part, options);
            }
            else
            {
                ReadDatabase(uri, part, options);
            }
        }

        options.Ssl = tls == true;
        return options;
    }

    /// <summary>
    /// Takes the URL's query (<c>?connectTimeout=5000&amp;operationTimeout=800</c>) off when it holds
    /// only known parameters with whole numbers, and records them; any other query is left in place,
    /// for <see cref="RequireNothingAfterTheHostThatLooksLikeAPassword"/> to refuse without quoting it
    /// (it may be a password holding a '?').
    /// </summary>
    private static string ReadParameters(string url, Timeouts timeouts)
    {
        var question = url.IndexOf('?');
        if (question < 0 || url.IndexOf('@', question) >= 0 || url.IndexOf('#', question) >= 0)
        {
            return url;
        }

        var values = new List<(string Name, int Milliseconds)>();
        foreach (var pair in url.Substring(question + 1).Split('&'))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair.Substring(0, equals);
            var known = UrlParameters.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                if (name.Length > 0 && name.Length <= 40 && name.All(char.IsLetter))
                {
                    throw new ArgumentException($"The Redis URL has an unknown parameter '{name}'; a redis:// URL takes {string.Join(" and ", UrlParameters)} (whole milliseconds), as in redis://host:6379?connectTimeout=5000. Other StackExchange.Redis settings need a configuration string (host:6379,name=value).");
                }

                return url;
            }

            if (equals < 0 || !int.TryParse(pair.Substring(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds <= 0)
            {
                throw new ArgumentException($"The Redis URL's parameter {known} must be a positive whole number of milliseconds, as in {known}=5000.");
            }

            values.Add((known, milliseconds));
        }

        foreach (var (name, milliseconds) in values)
        {
            var value = TimeSpan.FromMilliseconds(milliseconds);
            if (name == "connectTimeout")
            {
                timeouts.Connect = Agree(timeouts.Connect, value, name);
            }
            else
            {
                timeouts.Sync = Agree(timeouts.Sync, value, name);
                timeouts.Async = timeouts.Sync;
            }
        }

        return url.Substring(0, question);
    }

    /// <summary>The URLs of a list may each give a parameter, but not two different values of it.</summary>
    private static TimeSpan Agree(TimeSpan? earlier, TimeSpan value, string name) =>
        earlier is { } e && e != value
            ? throw new ArgumentException($"The Redis URLs give two different values of {name}; give it once, or the same in each.")
            : value;

    /// <summary>
    /// By RFC 3986 the host ends at the first '/', '?' or '#': "redis://u:12?34@host" is host "u",
    /// port 12, and "redis://u:12/pw@host" names database "pw@host". An '@' after that point, a query,
    /// or a fragment is almost surely an unescaped password; the URL is refused without quoting any of it.
    /// </summary>
    private static void RequireNothingAfterTheHostThatLooksLikeAPassword(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = url.IndexOfAny(new[] { '/', '?', '#' }, start);
        if (end < 0)
        {
            return;
        }

        if (url.IndexOf('@', end) >= 0 || url.IndexOf('?', end) >= 0 || url.IndexOf('#', end) >= 0)
        {
            throw new ArgumentException("A Redis URL could not be read: it has an '@', '?' or '#' after its host, which is almost surely a password holding one of '/', '?', '#'. Expected redis://[user:password@]host:port[/db]; URL-escape the password ('/' as %2F, '?' as %3F, '#' as %23, '@' as %40, ',' as %2C).");
        }
    }

    private static void ReadUserInfo(Uri uri, ConfigurationOptions options)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return;
        }

        var separator = uri.UserInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(separator < 0 ? "" : uri.UserInfo.Substring(0, separator));
        var password = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo.Substring(separator + 1));
        if (user.Length > 0)
        {
            options.User = user;
        }

        if (password.Length > 0)
        {
            options.Password = password;
        }
    }

    /// <summary>The service (the master's name in the sentinels' configuration), then an optional database: /mymaster or /mymaster/2.</summary>
    private static void ReadService(Uri uri, string part, ConfigurationOptions options)
    {
        var segments = uri.AbsolutePath.Trim('/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is 0 or > 2)
        {
            throw new ArgumentException($"'{Redact(part)}' names no service: a sentinel URL is redis+sentinel://host:26379/service[/db], with the master's name as the sentinels know it (sentinel monitor <service> ...).");
        }

        var service = Uri.UnescapeDataString(segments[0]);
        if (options.ServiceName is { } earlier && earlier != service)
        {
            throw new ArgumentException($"The sentinel URLs name two services, '{earlier}' and '{service}'; every sentinel of the list must name the same one.");
        }

        options.ServiceName = service;
        if (segments.Length == 2)
        {
            if (!int.TryParse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                throw new ArgumentException($"'{Redact(part)}' names database '{segments[1]}'; the database must be a number, as in redis+sentinel://host:26379/mymaster/0.");
            }

            options.DefaultDatabase = db;
        }
    }

    private static void ReadDatabase(Uri uri, string part, ConfigurationOptions options)
    {
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length == 0)
        {
            return;
        }

        if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db))
        {
            throw new ArgumentException($"'{Redact(part)}' names database '{path}'; the database must be a number, as in redis://host:6379/0.");
        }

        options.DefaultDatabase = db;
    }

    private static ConfigurationOptions ParseConfigurationString(string text, Timeouts timeouts)
    {
        try
        {
            var options = ConfigurationOptions.Parse(text);

            // Its timeouts are the user's choice: AkCache's own settings must not override them.
            var settings = text.Split(',').Select(p => p.Trim()).ToArray();
            bool Sets(string name) => settings.Any(p => p.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase));
            timeouts.Connect = Sets("connectTimeout") ? TimeSpan.FromMilliseconds(options.ConnectTimeout) : null;
            timeouts.Sync = Sets("syncTimeout") ? TimeSpan.FromMilliseconds(options.SyncTimeout) : null;
            timeouts.Async = Sets("asyncTimeout") ? TimeSpan.FromMilliseconds(options.AsyncTimeout) : null;
            return options;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or RedisConnectionException)
        {
            throw new ArgumentException($"'{Redact(text)}' is neither a Redis URL (redis://host:port) nor a StackExchange.Redis configuration string: {StripQuoted(ex.Message, text)}");
        }
    }

    /// <summary>
    /// A configuration string takes any text without '=' as a host, so a URL with a wrong or missing
    /// scheme ("user:password@host:6379") would become a host named after the password, and the
    /// password would then be logged as part of <see cref="SafeDescription"/>.
    /// </summary>
    private static void RequireHostNames(ConfigurationOptions options, string text)
    {
        foreach (var endpoint in options.EndPoints)
        {
            if (endpoint is System.Net.DnsEndPoint dns && !dns.Host.All(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                throw new ArgumentException($"'{Redact(text)}' is neither a Redis URL nor a list of host:port. Expected redis://[user:password@]host:port[/db].");
            }
        }
    }

    private static string Format(System.Net.EndPoint endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        System.Net.IPEndPoint ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip.Address}]:{ip.Port}" : $"{ip.Address}:{ip.Port}",
        _ => endpoint.ToString() ?? "?",
    };

    /// <summary>Hides anything that may be a password in text the user typed.</summary>
    private static string Redact(string text)
    {
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            var scheme = text.IndexOf("://", StringComparison.Ordinal);
            var start = scheme >= 0 ? scheme + 3 : 0;
            text = text.Substring(0, start) + "*****" + text.Substring(at);
        }

        return System.Text.RegularExpressions.Regex.Replace(text, "(password=)[^,]*", "$1*****", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    private static string StripQuoted(string message, string text) => message.Replace(text, Redact(text));
}
