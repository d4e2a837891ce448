using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Browser;

/// <summary>The HTML status page in a real headless browser (Debian's chromium and chromium-driver).</summary>
public class StatusPageBrowserTests
{
    [Fact]
    public async Task The_page_loads_shows_the_listeners_fetches_nothing_from_elsewhere_and_its_chart_moves_when_messages_arrive()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var origin = "http://" + daemon.Tcp.ToString()["tcp://".Length..];
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(origin + "/");

        await Wait.UntilAsync(() => Text(browser, "#listeners tbody").Contains(daemon.Tcp.ToString(), StringComparison.Ordinal), "the listeners table");
        var listeners = Text(browser, "#listeners tbody");
        Assert.Contains("unix", listeners, StringComparison.Ordinal);
        Assert.Contains(daemon.Unix.ToString(), listeners, StringComparison.Ordinal);

        // Two refreshes make the first point; with nothing sent the rate is 0.
        await Wait.UntilAsync(() => Number(browser, "points") >= 1, "the chart's first point");
        Assert.Equal(0, Number(browser, "last"));

        // Messages keep arriving until the chart shows a rate above zero.
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
            while (!stop.IsCancellationRequested)
            {
                await client.SendManyAsync(Enumerable.Range(0, 50).Select(i => $"chart {i}"), CancellationToken.None);
            }
        });
        await Wait.UntilAsync(() => Number(browser, "last") > 0, "the chart to show messages/s above zero");
        await stop.CancelAsync();
        await sending;

        Assert.True(Number(browser, "last") > 0);
        var rate = Text(browser, "#rate");
        Assert.NotEqual("0", rate);

        // Self-contained: every resource the page loaded came from the daemon itself.
        var resources = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript("return performance.getEntriesByType('resource').map(e => e.name);")!;
        Assert.NotEmpty(resources);
        Assert.All(resources, r => Assert.StartsWith(origin + "/", (string)r, StringComparison.Ordinal));
    }

    private static ChromeDriver StartBrowser()
    {
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900", "--no-first-run", "--disable-extensions");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(30));
    }

    private static string Text(ChromeDriver browser, string selector)
    {
        try
        {
            return browser.FindElement(By.CssSelector(selector)).Text;
        }
        catch (NoSuchElementException)
        {
            return string.Empty;
        }
    }

    private static double Number(ChromeDriver browser, string data) =>
        double.Parse(browser.FindElement(By.Id("chart")).GetDomAttribute("data-" + data) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
}
