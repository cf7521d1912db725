import CaseportCore
import XCTest

final class CaseAccessRuleTests: XCTestCase {
    // Customers 1, 2; object 10 belongs to 1, object 20 to 2; contact 7.
    let onCustomer1 = CaseAccessFacts(customerId: 1, objectId: nil, objectCustomerId: nil, linkedContactIds: [])
    let customer2OnObjectOf1 = CaseAccessFacts(customerId: 2, objectId: 10, objectCustomerId: 1, linkedContactIds: [])
    let onObject20 = CaseAccessFacts(customerId: 2, objectId: 20, objectCustomerId: 2, linkedContactIds: [])
    let linkedToContact7 = CaseAccessFacts(customerId: nil, objectId: nil, objectCustomerId: nil, linkedContactIds: [7])

    func testUserWithoutContactSeesNothingAndCreatesBareCases() {
        let viewer = PortalViewer.contactUser(contact: nil)
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.seesNothing)
        for facts in [onCustomer1, customer2OnObjectOf1, onObject20, linkedToContact7] {
            XCTAssertFalse(visibility.canSee(facts))
        }
        let rule = CaseCreationRule(for: viewer)
        XCTAssertTrue(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: 1, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: nil, objectId: 10, objectCustomerId: 1))
        XCTAssertNil(rule.primaryContactId)
    }

    func testContactWithoutLinksSeesOnlyItsOwnCases() {
        let viewer = PortalViewer.contactUser(contact: ContactLinks(contactId: 7))
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.canSee(linkedToContact7))
        XCTAssertFalse(visibility.canSee(onCustomer1))
        let rule = CaseCreationRule(for: viewer)
        XCTAssertEqual(rule.primaryContactId, 7)
        XCTAssertTrue(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: 1, objectId: nil, objectCustomerId: nil))
    }

    func testContactOnObjectSeesEveryCaseOnThatObjectWhateverTheCustomer() {
        let viewer = PortalViewer.contactUser(contact: ContactLinks(contactId: 7, objectIds: [10]))
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.canSee(customer2OnObjectOf1))
        XCTAssertTrue(visibility.canSee(linkedToContact7))
        XCTAssertFalse(visibility.canSee(onCustomer1), "a link to an object is not a link to its customer")
        XCTAssertFalse(visibility.canSee(onObject20))
        let rule = CaseCreationRule(for: viewer)
        XCTAssertTrue(rule.allows(customerId: 1, objectId: 10, objectCustomerId: 1))
        XCTAssertTrue(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil, objectRequired: true))
        XCTAssertFalse(rule.allows(customerId: 2, objectId: 20, objectCustomerId: 2))
        XCTAssertFalse(rule.allows(customerId: 2, objectId: 10, objectCustomerId: 1), "customer must be the object's")
    }

    func testContactOnCustomerSeesItsCasesAndEveryCaseOnItsObjects() {
        let viewer = PortalViewer.contactUser(contact: ContactLinks(contactId: 7, customerIds: [1]))
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.canSee(onCustomer1))
        XCTAssertTrue(visibility.canSee(customer2OnObjectOf1), "case of another customer on one of customer 1's objects")
        XCTAssertFalse(visibility.canSee(onObject20))
        let rule = CaseCreationRule(for: viewer)
        XCTAssertTrue(rule.allows(customerId: 1, objectId: nil, objectCustomerId: nil))
        XCTAssertTrue(rule.allows(customerId: 1, objectId: 10, objectCustomerId: 1))
        XCTAssertFalse(rule.allows(customerId: 2, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: 2, objectId: 20, objectCustomerId: 2))
        XCTAssertFalse(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil, customerRequired: true))
    }

    func testInvoiceCustomerSeesExactlyItsCasesAndCreatesOnItself() {
        let viewer = PortalViewer.invoiceCustomer(customerId: 2)
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.canSee(customer2OnObjectOf1))
        XCTAssertTrue(visibility.canSee(onObject20))
        XCTAssertFalse(visibility.canSee(onCustomer1))
        XCTAssertFalse(visibility.canSee(linkedToContact7))
        let rule = CaseCreationRule(for: viewer)
        XCTAssertTrue(rule.allows(customerId: 2, objectId: nil, objectCustomerId: nil))
        XCTAssertTrue(rule.allows(customerId: 2, objectId: 20, objectCustomerId: 2))
        XCTAssertFalse(rule.allows(customerId: nil, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: 1, objectId: nil, objectCustomerId: nil))
    }

    func testObjectLoginSeesCasesOnTheObjectAndCreatesOnIt() {
        let viewer = PortalViewer.object(objectId: 10, customerId: 1)
        let visibility = CaseVisibility(for: viewer)
        XCTAssertTrue(visibility.canSee(customer2OnObjectOf1))
        XCTAssertFalse(visibility.canSee(onCustomer1))
        let rule = CaseCreationRule(for: viewer)
        XCTAssertTrue(rule.allows(customerId: 1, objectId: 10, objectCustomerId: 1))
        XCTAssertFalse(rule.allows(customerId: 1, objectId: nil, objectCustomerId: nil))
        XCTAssertFalse(rule.allows(customerId: 2, objectId: 20, objectCustomerId: 2))
    }

    func testDisabledAccountSeesAndCreatesNothing() {
        XCTAssertTrue(CaseVisibility(for: .disabled).seesNothing)
        XCTAssertFalse(CaseCreationRule(for: .disabled).allows(customerId: nil, objectId: nil, objectCustomerId: nil))
    }
}
