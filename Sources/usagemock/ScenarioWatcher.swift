import Logging
import ServiceLifecycle
import UsageMock

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `serve --watch`: polls the scenario file and serves it again when it changes. A
/// change that does not validate is logged and refused whole; the old scenario stays.
struct ScenarioWatcher: Service {
    let path: String
    let application: MockApplication
    let logger: Logger
    /// The file as read before the scenario served was loaded from it, so a change
    /// made while the server was starting is not missed.
    let loadedContents: [UInt8]?
    var interval: Duration = .milliseconds(500)

    /// Inode, size and modification time (`stat`), read every interval; the contents
    /// only when they change, and a reload only when the contents did.
    private struct Stamp: Equatable {
        let inode: UInt64
        let size: Int64
        let seconds: Int
        let nanoseconds: Int
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var stamp: Stamp?
            var contents = loadedContents
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let now = Self.stamp(of: path)
                guard now != stamp || stamp == nil else { continue }
                stamp = now
                guard let read = Self.contents(of: path), read != contents else { continue }
                contents = read
                do {
                    let scenario = try application.reloadScenario(json: read, file: path)
                    logger.notice("reloaded scenario \"\(scenario.name)\" from \(path)")
                } catch {
                    logger.error("refused the changed scenario, still serving the previous one: \(error)")
                }
            }
        }
    }

    private static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
    }

    static func contents(of path: String) -> [UInt8]? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) }
    }
}
