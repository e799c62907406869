using System;
using System.Net;
using AkCache.Internals.Configuration;
using Xunit;

namespace AkCache.Tests.Runtime.Configuration;

public sealed class RedisUrlTests
{
    private const string Password = "S3cr3t!pw";

    [Fact]
    public void A_url_with_host_and_port_names_that_endpoint()
    {
        var url = RedisUrl.Parse("redis://cache.example:6380");

        AssertEndpoint(Assert.Single(url.Options.EndPoints), "cache.example", 6380);
        Assert.False(url.Options.Ssl);
        Assert.Null(url.Options.Password);
        Assert.Null(url.Options.DefaultDatabase);
        Assert.Equal("redis://cache.example:6380", url.SafeDescription);
    }

    [Fact]
    public void A_sentinel_url_names_the_sentinels_the_service_and_the_database()
    {
        var url = RedisUrl.Parse($"redis+sentinel://app:{Password}@sentinel-a:26380/mymaster/2,redis+sentinel://app:{Password}@sentinel-b/mymaster/2");

        Assert.Equal(2, url.Options.EndPoints.Count);
        AssertEndpoint(url.Options.EndPoints[0], "sentinel-a", 26380);
        AssertEndpoint(url.Options.EndPoints[1], "sentinel-b", 26379);
        Assert.Equal("mymaster", url.Options.ServiceName);
        Assert.Equal(2, url.Options.DefaultDatabase);
        Assert.Equal("app", url.Options.User);
        Assert.Equal(Password, url.Options.Password);
        Assert.False(url.Options.Ssl);
        Assert.Equal("redis+sentinel://sentinel-a:26380,sentinel-b:26379/mymaster/2", url.SafeDescription);
        Assert.True(RedisUrl.Parse("rediss+sentinel://sentinel-a/mymaster").Options.Ssl);
    }

    [Theory]
    [InlineData("redis+sentinel://sentinel-a:26379", "names no service")]
    [InlineData("redis+sentinel://sentinel-a:26379/mymaster/x", "must be a number")]
    [InlineData("redis+sentinel://a/one,redis+sentinel://b/two", "two services")]
    [InlineData("redis+sentinel://a/mymaster,redis://b:6379", "mix redis+sentinel://")]
    public void A_sentinel_url_without_a_service_or_with_disagreeing_parts_is_refused_with_the_form(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(text));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_url_without_port_uses_6379()
    {
        var url = RedisUrl.Parse("redis://cache.example");

        AssertEndpoint(Assert.Single(url.Options.EndPoints), "cache.example", 6379);
        Assert.Equal("redis://cache.example:6379", url.SafeDescription);
    }

    [Fact]
    public void User_password_and_database_are_read_from_the_url()
    {
        var url = RedisUrl.Parse("redis://alice:wonderland@cache.example:6380/3");

        AssertEndpoint(Assert.Single(url.Options.EndPoints), "cache.example", 6380);
        Assert.Equal("alice", url.Options.User);
        Assert.Equal("wonderland", url.Options.Password);
        Assert.Equal(3, url.Options.DefaultDatabase);
        Assert.Equal("redis://cache.example:6380/3", url.SafeDescription);
    }

    [Fact]
    public void A_password_without_user_is_read_as_the_password()
    {
        var url = RedisUrl.Parse("redis://:secret@cache.example");

        Assert.Null(url.Options.User);
        Assert.Equal("secret", url.Options.Password);
        AssertEndpoint(Assert.Single(url.Options.EndPoints), "cache.example", 6379);
    }

    [Fact]
    public void An_escaped_password_is_unescaped()
    {
        var url = RedisUrl.Parse("redis://alice:p%40ss%2Cw%23rd@cache.example:6379");

        Assert.Equal("alice", url.Options.User);
        Assert.Equal("p@ss,w#rd", url.Options.Password);
        AssertEndpoint(Assert.Single(url.Options.EndPoints), "cache.example", 6379);
    }

    [Fact]
    public void Rediss_turns_tls_on()
    {
        var url = RedisUrl.Parse("rediss://cache.example:6380");

        Assert.True(url.Options.Ssl);
        Assert.StartsWith("rediss://", url.SafeDescription);
    }

    [Fact]
    public void Comma_separated_urls_name_every_node_of_a_cluster()
    {
        var url = RedisUrl.Parse("redis://node1:7000, redis://node2:7001,redis://node3:7002");

        Assert.Equal(3, url.Options.EndPoints.Count);
        AssertEndpoint(url.Options.EndPoints[0], "node1", 7000);
        AssertEndpoint(url.Options.EndPoints[1], "node2", 7001);
        AssertEndpoint(url.Options.EndPoints[2], "node3", 7002);
        Assert.Equal("redis://node1:7000,node2:7001,node3:7002", url.SafeDescription);
    }

    [Fact]
    public void Hosts_without_scheme_are_read_as_a_list_of_endpoints()
    {
        var url = RedisUrl.Parse("host1:7000,host2:7001");

        Assert.Equal(2, url.Options.EndPoints.Count);
        AssertEndpoint(url.Options.EndPoints[0], "host1", 7000);
        AssertEndpoint(url.Options.EndPoints[1], "host2", 7001);
        Assert.False(url.Options.Ssl);
    }

    [Fact]
    public void A_StackExchange_Redis_configuration_string_is_accepted()
    {
        var url = RedisUrl.Parse("127.0.0.1:6380,password=xyz,defaultDatabase=2");

        var endpoint = Assert.IsType<IPEndPoint>(Assert.Single(url.Options.EndPoints));
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.Equal(6380, endpoint.Port);
        Assert.Equal("xyz", url.Options.Password);
        Assert.Equal(2, url.Options.DefaultDatabase);
        Assert.Equal("redis://127.0.0.1:6380/2", url.SafeDescription);
    }

    [Fact]
    public void A_configuration_string_without_port_is_described_with_the_port_it_will_use()
    {
        Assert.Equal("redis://cache.example:6379", RedisUrl.Parse("cache.example").SafeDescription);
        Assert.Equal("rediss://cache.example:6380", RedisUrl.Parse("cache.example,ssl=true").SafeDescription);
    }

    [Fact]
    public void An_IPv6_address_in_brackets_is_accepted()
    {
        var url = RedisUrl.Parse("redis://[::1]:6379");

        var endpoint = Assert.IsType<IPEndPoint>(Assert.Single(url.Options.EndPoints));
        Assert.Equal(IPAddress.IPv6Loopback, endpoint.Address);
        Assert.Equal(6379, endpoint.Port);
        Assert.Equal("redis://[::1]:6379", url.SafeDescription);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_url_is_rejected(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(text));
        Assert.Contains("empty", error.Message);
        Assert.Contains("AKCACHE_REDIS_URL", error.Message);
    }

    [Fact]
    public void A_scheme_without_host_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse("redis://"));
        Assert.Contains("not a valid Redis URL", error.Message);
    }

    [Fact]
    public void A_database_that_is_not_a_number_is_rejected_without_showing_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse($"redis://u:{Password}@host:6379/notanumber"));

        Assert.Contains("'notanumber'", error.Message);
        Assert.Contains("must be a number", error.Message);
        Assert.Contains("host:6379", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public void Mixing_redis_and_rediss_is_rejected_without_showing_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse($"redis://u:{Password}@a:7000,rediss://u:{Password}@b:7001"));

        Assert.Contains("mix redis:// and rediss://", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    // Each of these, once accepted, became a "host" whose name held the password, so the password
    // reached SafeDescription and every log line about that Redis.
    [Theory]
    [InlineData("this is not a url")]
    [InlineData("::::")]
    [InlineData("u:" + Password + "@host:6379")]
    [InlineData("http://u:" + Password + "@host:6379")]
    [InlineData("redis://u:" + Password + "@host:notaport")]
    [InlineData("redis://u:" + Password + "@host:99999")]
    [InlineData("redis://u:" + Password + "@")]
    [InlineData("redis://u:" + Password + "@host:6379/-1")]
    [InlineData("host:6379,password=" + Password + ",connectTimeout=abc")]
    [InlineData("host:6379,password=" + Password + ",noSuchOption=1")]
    public void Garbage_is_rejected_without_showing_the_password(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(text));

        Assert.Contains("redis://", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    // An unescaped ',' or '#' splits the password; the halves must neither be quoted nor quietly
    // read as a host and a port.
    [Theory]
    [InlineData("redis://u:S3cr,3t!pw@host:6379", "S3cr")]
    [InlineData("redis://u:12,34@host:6379", "12")]
    [InlineData("redis://u:12#34@host:6379", "12")]
    [InlineData("redis://u:12?34@host:6379", "12")]
    [InlineData("redis://u:12/topsecret@host:6379", "topsecret")]
    public void A_password_with_unescaped_separators_is_rejected_without_showing_any_part_of_it(string text, string passwordPart)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(text));

        Assert.DoesNotContain(passwordPart, error.Message);
        Assert.Contains("escape", error.Message);
    }

    /// <summary>
    /// Every reserved character of RFC 3986, unescaped in a password: the URL is either read with that
    /// very password, or refused; no part of the password ever reaches the message or the description.
    /// </summary>
    [Theory]
    [InlineData(':')]
    [InlineData('/')]
    [InlineData('?')]
    [InlineData('#')]
    [InlineData('[')]
    [InlineData(']')]
    [InlineData('@')]
    [InlineData('!')]
    [InlineData('$')]
    [InlineData('&')]
    [InlineData('\'')]
    [InlineData('(')]
    [InlineData(')')]
    [InlineData('*')]
    [InlineData('+')]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('=')]
    [InlineData('%')]
    public void A_password_with_any_reserved_character_is_read_exactly_or_refused_without_a_trace(char reserved)
    {
        // Digits first: cut at the reserved character, the password's start would read as a port.
        var password = "4321" + reserved + "Zk9";
        foreach (var text in new[] { $"redis://user:{password}@127.0.0.1:6379", $"redis://user:{password}@127.0.0.1:6379/2", $"rediss://:{password}@cache.internal" })
        {
            try
            {
                var url = RedisUrl.Parse(text);
                Assert.Equal(password, url.Options.Password);
                Assert.DoesNotContain("4321", url.SafeDescription);
                Assert.DoesNotContain("Zk9", url.SafeDescription);
            }
            catch (ArgumentException error)
            {
                Assert.DoesNotContain("4321", error.Message);
                Assert.DoesNotContain("Zk9", error.Message);
            }
        }
    }

    [Theory]
    [InlineData("redis://u:" + Password + "@host:6379/2")]
    [InlineData("rediss://:" + Password + "@host:6380")]
    [InlineData("redis://u:" + Password + "@node1:7000,redis://u:" + Password + "@node2:7001")]
    [InlineData("host:6379,password=" + Password)]
    public void The_safe_description_never_holds_the_password(string text)
    {
        var url = RedisUrl.Parse(text);

        Assert.Equal(Password, url.Options.Password);
        Assert.DoesNotContain(Password, url.SafeDescription);
        Assert.DoesNotContain("*****", url.SafeDescription);
    }

    [Fact]
    public void Scrub_removes_every_occurrence_of_the_password()
    {
        var url = RedisUrl.Parse($"redis://u:{Password}@host:6379");

        var scrubbed = url.Scrub($"AUTH {Password} failed; retried with {Password}");

        Assert.Equal("AUTH ***** failed; retried with *****", scrubbed);
    }

    [Fact]
    public void Scrub_leaves_messages_alone_when_there_is_no_password()
    {
        var url = RedisUrl.Parse("redis://host:6379");

        Assert.Equal("connection refused", url.Scrub("connection refused"));
    }

    private static void AssertEndpoint(EndPoint endpoint, string host, int port)
    {
        var dns = Assert.IsType<DnsEndPoint>(endpoint);
        Assert.Equal(host, dns.Host);
        Assert.Equal(port, dns.Port);
    }
}
