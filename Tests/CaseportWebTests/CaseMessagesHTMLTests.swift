@testable import CaseportWeb
import Foundation
import XCTest

/// Issue 17: the case pages' messages are written by `PortalCaseController.messagesHTML` and
/// `StaffCasesController.messagesHTML` instead of the templates' loops. The loops below are `portal/case.leaf`'s
/// and `staff/case.leaf`'s as they were; Leaf renders them for messages full of characters that need
/// escaping, and the Swift messages must be the same bytes.
final class CaseMessagesHTMLTests: XCTestCase {
    /// `portal/case.leaf`'s message loop before issue 17 (inside `<ol class="messages">`; its first line's
    /// indentation, written once before the messages, left out).
    static let loop = #"""
#for(m in messages):
    <li class="message#if(m.fromCompany): message-company#endif#if(m.fromSystem): message-system#endif" id="message-#(m.id)">
      <div class="message-meta">
        <strong>#(m.author)</strong>
        #if(m.fromCompany):<span class="tag tag-company">#(layout.t.message_from_company)</span>#endif
        <span class="muted">#(m.createdAt)</span>
      </div>
      #if(m.long):<details class="message-long"><summary><span class="message-preview">#(m.preview)</span> <span class="more">#(layout.t.message_show_all)</span><span class="less">#(layout.t.message_show_less)</span></summary><div class="prose">#(m.body)</div></details>#else:<div class="prose">#(m.body)</div>#endif
      #if(count(m.files) > 0):<ul class="chips" aria-label="#(layout.t.casepage_attachments)">#for(f in m.files):<li><a class="chip" href="#route("portal.caseFile", number, f.id)" download>#if(f.isImage):<img src="#route("portal.caseFile", number, f.id)?inline=1" alt="" loading="lazy">#else:<span class="chip-icon" aria-hidden="true">📎</span>#endif<span class="chip-name">#(f.name)</span> <span class="muted">#(f.size)</span></a></li>#endfor</ul>#endif
    </li>
  #endfor
"""#

    private func leafMessages(_ messages: [PortalCaseController.MessageView], number: Int, strings: [String: String]) throws -> String {
        struct Context: Encodable {
            var messages: [PortalCaseController.MessageView]
            var number: Int
            var layout: LeafLoopRendering.Strings
        }
        return try LeafLoopRendering.render(Self.loop, Context(messages: messages, number: number, layout: .init(t: strings)))
    }

    func testTheMessagesAreTheBytesTheTemplatesLoopWrote() throws {
        let odd = #"<b> & "q" 'a' Ärende ➜"#
        let keys = ["message_from_company", "message_show_all", "message_show_less", "casepage_attachments"]
        let strings = Dictionary(uniqueKeysWithValues: keys.map { ($0, "\($0) \(odd)") })
        func message(_ id: Int, company: Bool, system: Bool, long: Bool, files: [PortalCaseController.FileChip]) -> PortalCaseController.MessageView {
            PortalCaseController.MessageView(
                id: id, author: "Anna \(odd)", fromCompany: company, fromSystem: system, body: "Rad ett \(odd)\nRad två",
                long: long, preview: "Rad ett \(odd)…", createdAt: "04.12.2026 11.30", files: files)
        }
        let messages = [
            message(31, company: true, system: false, long: true, files: [
                .init(id: 5, name: "bild \(odd).jpg", size: "1,2 MB", isImage: true),
                .init(id: 6, name: "kvitto \(odd).pdf", size: "80 kB", isImage: false),
            ]),
            message(30, company: false, system: false, long: false, files: []),
            message(29, company: false, system: true, long: false, files: [.init(id: 7, name: "", size: "", isImage: false)]),
        ]
        let swift = PortalCaseController.messagesHTML(messages, caseNumber: 100_001, strings: strings)
        XCTAssertEqual(swift, try leafMessages(messages, number: 100_001, strings: strings))
        XCTAssertFalse(swift.contains("<b>"), "every value is escaped")
        XCTAssertTrue(swift.contains("/cases/100001/files/5"), "the file's own link")
        XCTAssertEqual(PortalCaseController.messagesHTML([], caseNumber: 7, strings: strings),
                       try leafMessages([], number: 7, strings: strings))
        // A missing string is empty, as Leaf shows a missing key.
        XCTAssertEqual(PortalCaseController.messagesHTML(messages, caseNumber: 7, strings: [:]),
                       try leafMessages(messages, number: 7, strings: [:]))
    }

    /// `staff/case.leaf`'s message loop before issue 17.
    static let staffLoop = #"""
#for(m in messages):
    <li class="message#if(m.isInternal): message-internal#elseif(!m.fromCustomer): message-company#endif" id="message-#(m.id)">
      <div class="message-meta"><strong>#(m.author)</strong>#if(m.isInternal): <span class="tag tag-internal">#(layout.t.staff_internal_tag)</span>#endif#if(m.fromCustomer): <span class="tag tag-portal">#(layout.t.staff_from_customer)</span>#endif <span class="muted">#(m.createdAt)</span></div>
      <div class="prose">#(m.body)</div>
      #if(count(m.files) > 0):<ul class="chips" aria-label="#(layout.t.casepage_attachments)">#for(f in m.files):<li><a class="chip" href="#route("staff.file", f.id)" download>#if(f.isImage):<img src="#route("staff.file", f.id)?inline=1" alt="" loading="lazy">#else:<span class="chip-icon" aria-hidden="true">📎</span>#endif<span class="chip-name">#(f.name)</span> <span class="muted">#(f.size)</span></a></li>#endfor</ul>#endif
    </li>
  #endfor
"""#

    private func leafStaffMessages(_ messages: [StaffCasesController.MessageView], strings: [String: String]) throws -> String {
        struct Context: Encodable {
            var messages: [StaffCasesController.MessageView]
            var layout: LeafLoopRendering.Strings
        }
        return try LeafLoopRendering.render(Self.staffLoop, Context(messages: messages, layout: .init(t: strings)))
    }

    func testTheBackOfficeMessagesAreTheBytesTheTemplatesLoopWrote() throws {
        let odd = #"<b> & "q" 'a' Ärende ➜"#
        let keys = ["staff_internal_tag", "staff_from_customer", "casepage_attachments"]
        let strings = Dictionary(uniqueKeysWithValues: keys.map { ($0, "\($0) \(odd)") })
        func message(_ id: Int, note: Bool, customer: Bool, files: [PortalCaseController.FileChip]) -> StaffCasesController.MessageView {
            StaffCasesController.MessageView(id: id, author: "Berit \(odd)", body: "Rad ett \(odd)\nRad två", isInternal: note,
                                             fromCustomer: customer, createdAt: "04.12.2026 11.30", files: files)
        }
        let messages = [
            message(12, note: true, customer: false, files: []),
            message(11, note: false, customer: true, files: [
                .init(id: 8, name: "bild \(odd).png", size: "2 MB", isImage: true), .init(id: 9, name: "a.pdf", size: "1 kB", isImage: false),
            ]),
            message(10, note: false, customer: false, files: []),
        ]
        let swift = StaffCasesController.messagesHTML(messages, strings: strings)
        XCTAssertEqual(swift, try leafStaffMessages(messages, strings: strings))
        XCTAssertFalse(swift.contains("<b>"), "every value is escaped")
        XCTAssertEqual(StaffCasesController.messagesHTML([], strings: strings), try leafStaffMessages([], strings: strings))
        XCTAssertEqual(StaffCasesController.messagesHTML(messages, strings: [:]), try leafStaffMessages(messages, strings: [:]))
    }
}

/// Issue 17, session 18: the back-office case page's history is written by `StaffCasesController.eventsHTML`
/// instead of `staff/case.leaf`'s loop; Leaf renders the loop as it was, and the Swift must be the same bytes.
final class CaseEventsHTMLTests: XCTestCase {
    /// `staff/case.leaf`'s history loop before session 18.
    static let loop = #"#for(e in events):<li><span class="muted">#(e.at) · #(e.actor)</span><br>#(e.text)</li>#endfor"#

    private func leafEvents(_ events: [StaffCasesController.EventView]) throws -> String {
        struct Context: Encodable { var events: [StaffCasesController.EventView] }
        return try LeafLoopRendering.render(Self.loop, Context(events: events))
    }

    func testTheHistoryIsTheBytesTheTemplatesLoopWrote() throws {
        let odd = #"<b> & "q" 'a' Ärende ➜"#
        let events = [
            StaffCasesController.EventView(at: "04.12.2026 11.30", actor: "Berit \(odd)", text: "Status: Ny → Pågår \(odd)"),
            StaffCasesController.EventView(at: "", actor: "", text: ""),
            StaffCasesController.EventView(at: "03.12.2026 08.05", actor: "Kund \(odd)", text: "Meddelande\nmed två rader"),
        ]
        let swift = StaffCasesController.eventsHTML(events)
        XCTAssertEqual(swift, try leafEvents(events))
        XCTAssertFalse(swift.contains("<b>"), "every value is escaped")
        XCTAssertEqual(StaffCasesController.eventsHTML([]), try leafEvents([]))
        XCTAssertEqual(StaffCasesController.eventsHTML([]), "")
    }
}
