using SocketDaemon.Cli;

return await SocketCtl.InvokeAsync(args, () => Console.In);
